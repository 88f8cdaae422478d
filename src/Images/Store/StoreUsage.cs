namespace Ashlar.Images.Store;

/// <summary>The store's size by what keeps it (for <c>ashlar du</c> and the automatic limit).</summary>
/// <param name="BlobsSize">Bytes of all blobs.</param>
/// <param name="Snapshots">Committed snapshots.</param>
/// <param name="SnapshotsSize">Bytes of all committed snapshots.</param>
/// <param name="ReclaimableSnapshotsSize">Bytes of snapshots neither an image nor a cache entry needs.</param>
/// <param name="CacheEntries">Build cache entries.</param>
/// <param name="ActiveCacheEntries">Entries used since the oldest running build began (never collected now).</param>
/// <param name="CacheSize">The cache's share: its index, and the blobs and snapshots only cache entries need.</param>
/// <param name="ReclaimableCacheSize">The part of <paramref name="CacheSize"/> that pruning the inactive entries frees.</param>
/// <param name="CacheIndexSize">Bytes of the cache index's entries themselves.</param>
public sealed record StoreUsage(
    long BlobsSize,
    int Snapshots,
    long SnapshotsSize,
    long ReclaimableSnapshotsSize,
    int CacheEntries,
    int ActiveCacheEntries,
    long CacheSize,
    long ReclaimableCacheSize,
    long CacheIndexSize)
{
    /// <summary>Everything the store holds, as counted against a keep-storage limit.</summary>
    public long Total => BlobsSize + SnapshotsSize + CacheIndexSize;
}
