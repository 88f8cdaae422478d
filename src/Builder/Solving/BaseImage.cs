using Ashlar.Builder.Graph;
using Ashlar.Images.Store;

namespace Ashlar.Builder.Solving;

/// <summary>An image ready to build on: its source op, the committed snapshot of its layers (null when it has none), and the stored image.</summary>
internal sealed record BaseImage(SourceImageOp Op, string? Snapshot, StoredImage Image);
