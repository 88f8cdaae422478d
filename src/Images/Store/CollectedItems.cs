namespace Ashlar.Images.Store;

/// <summary>What one part of a collection removed.</summary>
/// <param name="Names">What was removed, as a user would recognise it (snapshot names, paths, cache keys).</param>
/// <param name="Bytes">The bytes freed.</param>
public sealed record CollectedItems(IReadOnlyList<string> Names, long Bytes)
{
    /// <summary>Nothing removed.</summary>
    public static CollectedItems None { get; } = new([], 0);
}
