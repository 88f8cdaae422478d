using Ashlar.Images.Content;

namespace Ashlar.Images.Store;

/// <summary>What a collection removed.</summary>
/// <param name="DeletedImages">Dangling images removed, by image ID.</param>
/// <param name="DeletedCacheEntries">Build cache entries removed, by key.</param>
/// <param name="DeletedBlobs">Blobs nothing referenced any more.</param>
/// <param name="DeletedSnapshots">Snapshots nothing needed any more, by name.</param>
/// <param name="Leftovers">What dead processes had left (scratch directories, partial blobs, step snapshots, lease files).</param>
/// <param name="ReclaimedBytes">Bytes freed in all.</param>
public sealed record GarbageCollectionResult(
    IReadOnlyList<Digest> DeletedImages,
    IReadOnlyList<string> DeletedCacheEntries,
    IReadOnlyList<Digest> DeletedBlobs,
    IReadOnlyList<string> DeletedSnapshots,
    IReadOnlyList<string> Leftovers,
    long ReclaimedBytes);
