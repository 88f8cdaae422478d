namespace Ashlar.Cache.Index;

/// <summary>One entry of the on-disk index, as listed by <see cref="FileDistributedCache.Entries"/>.</summary>
/// <param name="Key">The entry's key.</param>
/// <param name="Size">The entry file's size in bytes.</param>
/// <param name="LastUse">When it was last written, read or refreshed.</param>
/// <param name="Expired">Whether its expiration has passed (it reads as missing).</param>
public readonly record struct FileCacheEntry(string Key, long Size, DateTimeOffset LastUse, bool Expired);
