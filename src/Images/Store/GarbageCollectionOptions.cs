namespace Ashlar.Images.Store;

/// <summary>What <see cref="StoreGarbageCollector.CollectAsync"/> removes, with <c>docker builder prune</c>'s meaning.</summary>
public sealed record GarbageCollectionOptions
{
    /// <summary>Remove images without a name (docker's &lt;none&gt;). Named images are never removed.</summary>
    public bool DanglingImages { get; init; } = true;

    /// <summary>Every build cache entry is a candidate, not only those <see cref="KeepStorage"/> or <see cref="Until"/> select.</summary>
    public bool AllCache { get; init; }

    /// <summary>
    /// Remove candidate cache entries, least recently used first, until the store holds at most this many bytes
    /// (blobs, snapshots and the cache index). Null: no size target.
    /// </summary>
    public long? KeepStorage { get; init; }

    /// <summary>Only cache entries last used longer ago than this are candidates (<c>--filter until=24h</c>).</summary>
    public TimeSpan? Until { get; init; }

    /// <summary>
    /// Unreferenced blobs and snapshots younger than this stay, for writers that hold no lease (e.g. a pull in progress).
    /// Whatever a live lease's holder wrote or used stays regardless.
    /// </summary>
    public TimeSpan KeepRecent { get; init; }
}
