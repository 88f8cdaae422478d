using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Records;

/// <summary>What a cache key maps to: the layer an op produced and how it changed the image config.</summary>
/// <param name="LayerDigest">The compressed layer blob in the content store, or null for an op that adds no layer.</param>
/// <param name="DiffId">The uncompressed layer digest, or null for an op that adds no layer.</param>
/// <param name="ChainId">The snapshot (chain id) holding the unpacked result.</param>
/// <param name="ConfigDelta">The image config changes as a JSON object (ENV, WORKDIR, ...), or null.</param>
/// <param name="Created">When the result was first recorded.</param>
/// <param name="LastUsed">When it was recorded or last put again (the index entry's mtime tracks every use).</param>
/// <param name="Layer">
/// The layer's full descriptor (media type, digest, size), so a hit can put it into a manifest, or fetch it from an
/// <see cref="Remote.ILayerSource"/> when the local store lacks it; null for an op that adds no layer.
/// </param>
/// <param name="LayerRepository">
/// For a record in a shared index (Redis): the registry repository its layer was published to first
/// (<c>host/path</c>), so a runner given only the index can still fetch it; null otherwise.
/// </param>
public sealed record CacheRecord(
    Digest? LayerDigest,
    Digest? DiffId,
    string? ChainId,
    string? ConfigDelta,
    DateTimeOffset Created,
    DateTimeOffset LastUsed,
    Descriptor? Layer = null,
    string? LayerRepository = null);
