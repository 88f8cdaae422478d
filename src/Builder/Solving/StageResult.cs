using Ashlar.Builder.Graph;

namespace Ashlar.Builder.Solving;

/// <summary>A finished stage: its last op, committed snapshot (null when it has no files) and image config.</summary>
internal sealed record StageResult(Op Op, string? Snapshot, ImageState Image);
