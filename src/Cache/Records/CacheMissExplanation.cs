using Ashlar.Cache.Keys;

namespace Ashlar.Cache.Records;

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
