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
public sealed record TransferProgress(Digest Digest, long Size, TransferState State);
