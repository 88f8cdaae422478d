namespace Ashlar.Images.Store;

/// <summary>One thing <c>ashlar check</c> found wrong.</summary>
/// <param name="Path">The file or directory at fault.</param>
/// <param name="Problem">What is wrong with it.</param>
/// <param name="Repaired">Whether <c>--repair</c> removed it.</param>
public sealed record StoreProblem(string Path, string Problem, bool Repaired = false)
{
    /// <inheritdoc />
    public override string ToString() => $"{Path}: {Problem}{(Repaired ? " (removed)" : "")}";
}
