using Ashlar.Images.Content;

namespace Ashlar.Executor.Diff;

/// <summary>What <see cref="LayerDiff.WriteAsync"/> produced.</summary>
/// <param name="DiffId">The sha256 of the uncompressed tar (the image config's rootfs.diff_ids entry).</param>
/// <param name="CompressedDigest">The sha256 of the gzip stream (the manifest's layer digest).</param>
/// <param name="Size">The size of the gzip stream in bytes.</param>
public sealed record LayerDiffResult(Digest DiffId, Digest CompressedDigest, long Size);
