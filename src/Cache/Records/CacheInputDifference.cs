using Ashlar.Cache.Keys;

namespace Ashlar.Cache.Records;

/// <summary>One differing input: which (by its current or previous form) and how.</summary>
public readonly record struct CacheInputDifference(CacheInput Input, CacheInputChange Change)
{
    /// <summary><c>input "src/a.txt" changed</c>.</summary>
    public override string ToString() => $"{Input.Describe()} {Change.ToString().ToLowerInvariant()}";
}
