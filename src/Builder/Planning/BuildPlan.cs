using Ashlar.Parser;

namespace Ashlar.Builder.Planning;

/// <summary>The stages a build needs, in an order where every stage comes after those it depends on.</summary>
internal sealed record BuildPlan(
    Dockerfile Dockerfile,
    IReadOnlyList<StagePlan> Stages,
    IReadOnlyList<int> Order,
    int Target,
    IReadOnlyDictionary<string, string> GlobalScope,
    IReadOnlySet<string> DeclaredArgs)
{
    public StagePlan this[int index] => Stages[index];

    /// <summary>Resolves a <c>--from</c> value: a stage name, a stage index, else an image.</summary>
    public FromSource ResolveFrom(string from) => Planner.ResolveFrom(Dockerfile, from);
}
