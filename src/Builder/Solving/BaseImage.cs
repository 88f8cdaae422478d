using Ashlar.Builder.Graph;
using Ashlar.Cache.Keys;
using Ashlar.Images.Store;

namespace Ashlar.Builder.Solving;

/// <summary>An image ready to build on: its source op, its layers (unpacked only when a step needs them), the stored image and its cache key (the manifest digest).</summary>
internal sealed record BaseImage(SourceImageOp Op, LayerChain Files, StoredImage Image, CacheKey Key);
