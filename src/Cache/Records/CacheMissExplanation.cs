using Ashlar.Cache.Keys;

namespace Ashlar.Cache.Records;

/// <summary>How one input differs from the closest previously recorded key.</summary>
public enum CacheInputChange
{
    /// <summary>Present in both with a different value.</summary>
    Changed,
    /// <summary>Present now, absent before.</summary>
    Added,
    /// <summary>Present before, absent now.</summary>
    Removed,
}

/// <summary>One differing input: which (by its current or previous form) and how.</summary>
public readonly record struct CacheInputDifference(CacheInput Input, CacheInputChange Change)
{
    /// <summary><c>input "src/a.txt" changed</c>.</summary>
    public override string ToString() => $"{Input.Describe()} {Change.ToString().ToLowerInvariant()}";
}

/// <summary>Why a key missed: the closest previous key with the same parent and op kind, and what differs from it.</summary>
/// <param name="Closest">The closest previous key, or null if this step never ran on this parent.</param>
/// <param name="DefinitionChanged">Whether the op's own definition differs from the closest key's.</param>
/// <param name="Differences">The differing named inputs, in input order.</param>
/// <param name="Message">One line for the progress output and <c>--explain-cache</c>.</param>
public sealed record CacheMissExplanation(
    CacheKey? Closest,
    bool DefinitionChanged,
    IReadOnlyList<CacheInputDifference> Differences,
    string Message);
