using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>Reads a build's per-step cache outcome: which layer steps came from the cache.</summary>
internal static class CacheOutcome
{
    /// <summary>"C" for a cached step, "R" for one that ran, in build order: e.g. "CCR".</summary>
    public static string Pattern(this Built built) => string.Concat(built.Result.CacheSteps.Select(s => s.Cached ? 'C' : 'R'));

    /// <summary>The step whose instruction starts with <paramref name="prefix"/>.</summary>
    public static CacheStep Step(this Built built, string prefix) =>
        built.Result.CacheSteps.Single(s => s.Instruction.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>A marker that makes a test's keys its own in a store shared by a test class.</summary>
    public static string Unique() => Guid.NewGuid().ToString("N")[..12];
}
