using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Images.Store;

/// <summary>One platform's image as stored: its manifest, config, and where they came from.</summary>
/// <param name="Descriptor">The manifest's descriptor (for a multi-platform image, the chosen platform's manifest).</param>
/// <param name="Manifest">The image manifest.</param>
/// <param name="Config">The image config.</param>
public sealed record StoredImage(Descriptor Descriptor, ImageManifest Manifest, ImageConfig Config)
{
    /// <summary>The image ID as docker shows it: the digest of the config.</summary>
    public Digest Id => Manifest.Config.Digest;

    /// <summary>The manifest digest (what a registry addresses the image by).</summary>
    public Digest ManifestDigest => Descriptor.Digest;

    /// <summary>The layers' DiffIDs, bottom first.</summary>
    public IReadOnlyList<Digest> DiffIds => Config.RootFs.DiffIds.Select(Digest.Parse).ToList();
}
