using Ashlar.Parser;

namespace Ashlar.Builder.Planning;

/// <summary>A stage with its base resolved (after global ARG expansion) and the stages it needs.</summary>
internal sealed record StagePlan(
    Stage Stage,
    string DisplayName,
    StageBaseKind BaseKind,
    string BaseName,
    int? BaseStage,
    string? Platform,
    IReadOnlyList<int> Dependencies)
{
    public int Index => Stage.Index;
}
