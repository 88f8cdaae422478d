using Ashlar.Images.Formats;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Cache.Remote;

/// <summary>
/// A layer source outside the store whose blobs can be checked without copying them (a HEAD, a file check) and
/// named by a <see cref="LazyBlobSource"/>, so an image built from its hits can be stored with its layers left there
/// (lazy) and fetched only when something needs the bytes.
/// </summary>
public interface IRemoteLayerSource : ILayerSource
{
    /// <summary>Where this source has the blob, as the store records it for a lazy layer; null when it does not (or fails to answer).</summary>
    Task<LazyBlobSource?> LocateAsync(Descriptor layer, CancellationToken cancellationToken);
}
