using Ashlar.Images.Content;

namespace Ashlar.Images.Store;

/// <summary>What a prune removed.</summary>
/// <param name="DeletedImages">Index entries (dangling images) removed, by image ID.</param>
/// <param name="DeletedBlobs">Blobs no image referenced.</param>
/// <param name="ReclaimedBytes">Bytes freed, including what participants reported.</param>
public sealed record PruneResult(IReadOnlyList<Digest> DeletedImages, IReadOnlyList<Digest> DeletedBlobs, long ReclaimedBytes);
