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

    /// <summary>
    /// The history, oldest first, each step paired with its layer: steps without <c>empty_layer</c> take the layers
    /// in order. An image without history gets one step per layer.
    /// </summary>
    public IReadOnlyList<HistoryItem> History()
    {
        var layers = Manifest.Layers;
        if (Config.History is not { Count: > 0 } history)
            return layers.Select(l => new HistoryItem(new HistoryEntry(), l)).ToList();
        var items = new List<HistoryItem>();
        var next = 0;
        foreach (var entry in history)
        {
            var empty = entry.EmptyLayer == true || next >= layers.Count;
            items.Add(new HistoryItem(entry, empty ? null : layers[next++]));
        }
        return items;
    }
}
