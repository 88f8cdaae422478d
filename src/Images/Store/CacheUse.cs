using Ashlar.Images.Content;

namespace Ashlar.Images.Store;

/// <summary>One build cache entry as the collector sees it.</summary>
/// <param name="Key">The entry's key in the cache index.</param>
/// <param name="Size">The bytes of the entry itself (not of what it references).</param>
/// <param name="LastUse">When a build last wrote or hit it.</param>
/// <param name="Blobs">Blobs it needs (its layer).</param>
/// <param name="Snapshots">Snapshots it needs (its unpacked result, by chain ID).</param>
public sealed record CacheUse(string Key, long Size, DateTimeOffset LastUse, IReadOnlyList<Digest> Blobs, IReadOnlyList<string> Snapshots);
