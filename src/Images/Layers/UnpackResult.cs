using Ashlar.Images.Content;

namespace Ashlar.Images.Layers;

/// <summary>What an unpack did.</summary>
/// <param name="DiffId">The sha256 of the uncompressed tar, computed while unpacking.</param>
/// <param name="UncompressedSize">Bytes of uncompressed tar read.</param>
/// <param name="Entries">Tar entries processed.</param>
public sealed record UnpackResult(Digest DiffId, long UncompressedSize, long Entries);
