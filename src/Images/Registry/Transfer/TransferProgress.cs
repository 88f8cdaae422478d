using Ashlar.Images.Content;

namespace Ashlar.Images.Registry.Transfer;

/// <summary>What happened to one blob in a pull or push.</summary>
public enum TransferState
{
    /// <summary>The destination already had it; nothing moved.</summary>
    AlreadyExists,
    /// <summary>Downloaded into the store.</summary>
    Downloaded,
    /// <summary>Linked in the registry from another repository, without an upload.</summary>
    Mounted,
    /// <summary>Uploaded to the registry.</summary>
    Pushed,
}

/// <summary>A blob finished in a pull or push (reported once per blob, from any thread).</summary>
/// <param name="Digest">The blob.</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="State">What happened to it.</param>
/// <param name="MediaType">Its media type as the manifest gives it, e.g. a layer's <c>application/vnd.oci.image.layer.v1.tar+gzip</c>.</param>
public sealed record TransferProgress(Digest Digest, long Size, TransferState State, string MediaType)
{
    /// <summary>Whether the blob is the image config rather than a layer (docker shows layers only).</summary>
    public bool IsConfig => MediaType.EndsWith("config.v1+json", StringComparison.Ordinal) || MediaType.EndsWith("container.image.v1+json", StringComparison.Ordinal);
}
