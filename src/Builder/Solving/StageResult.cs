using Ashlar.Builder.Graph;
using Ashlar.Cache.Keys;

namespace Ashlar.Builder.Solving;

/// <summary>A finished stage: its last op, its files as a layer chain (unpacked only when needed), image config and last cache key.</summary>
internal sealed record StageResult(Op Op, LayerChain Files, ImageState Image, CacheKey Key);
