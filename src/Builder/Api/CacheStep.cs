using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;

namespace Ashlar.Builder;

/// <summary>One layer step of a build as the layer cache saw it (for <c>--explain-cache</c> and cache exporters).</summary>
/// <param name="Stage">The stage's display name (its name, or its index).</param>
/// <param name="Instruction">The step as shown, e.g. <c>COPY src/ .</c>.</param>
/// <param name="Key">The step's cache key.</param>
/// <param name="Parent">The key it was folded on (the previous step's, or the base image's).</param>
/// <param name="Record">What the key maps to: the layer, its diff ID, chain ID and config delta.</param>
/// <param name="Cached">Whether the step came from the cache.</param>
/// <param name="MissReason">Why the step ran, null on a hit.</param>
public sealed record CacheStep(string Stage, string Instruction, CacheKey Key, CacheKey Parent, CacheRecord Record, bool Cached, string? MissReason);
