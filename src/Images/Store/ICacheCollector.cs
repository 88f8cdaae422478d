namespace Ashlar.Images.Store;

/// <summary>
/// The build cache's part in <see cref="StoreGarbageCollector"/> and <see cref="StoreChecker"/>: its entries, what
/// each one keeps alive in the store, and their last use for LRU collection.
/// </summary>
public interface ICacheCollector
{
    /// <summary>Every entry of the cache index.</summary>
    IReadOnlyList<CacheUse> Entries();

    /// <summary>Removes one entry; returns the bytes freed in the index.</summary>
    Task<long> RemoveAsync(CacheUse entry, CancellationToken cancellationToken);

    /// <summary>
    /// Checks that every entry is readable and that the blobs it references are in <paramref name="store"/>; with
    /// <paramref name="repair"/>, removes the entries that are not.
    /// </summary>
    Task CheckAsync(ImageStore store, ICollection<StoreProblem> problems, bool repair, CancellationToken cancellationToken);
}
