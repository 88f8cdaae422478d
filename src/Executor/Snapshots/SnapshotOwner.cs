using System.Globalization;
using Ashlar.Images.Store;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// Who a temporary snapshot belongs to, read from its name, so what a dead process left can be told from what a
/// running one uses: <c>build:&lt;id&gt;:...</c> belongs to the lease <c>build-&lt;id&gt;</c>, <c>run-&lt;id&gt;</c> to
/// the lease of the same name, <c>extract-&lt;pid&gt;-...</c> (a layer being unpacked) to that process.
/// </summary>
public static class SnapshotOwner
{
    /// <summary>The prefix of a build's step snapshots.</summary>
    public const string BuildPrefix = "build:";

    private const string RunPrefix = "run-";
    private const string ExtractPrefix = "extract-";

    /// <summary>The lease a build with <paramref name="buildId"/> takes (and its scratch directory's name).</summary>
    public static string BuildLease(string buildId) => "build-" + buildId;

    /// <summary>The key under which this process unpacks the layer that becomes <paramref name="name"/>.</summary>
    public static string ExtractKey(string name) => $"{ExtractPrefix}{Environment.ProcessId}-{Guid.NewGuid():N} {name}";

    /// <summary>The lease that holds the snapshot <paramref name="name"/>, or null when its name does not say.</summary>
    public static string? LeaseOf(string name)
    {
        if (name.StartsWith(BuildPrefix, StringComparison.Ordinal))
        {
            var end = name.IndexOf(':', BuildPrefix.Length);
            return BuildLease(end < 0 ? name[BuildPrefix.Length..] : name[BuildPrefix.Length..end]);
        }
        if (name.StartsWith(RunPrefix, StringComparison.Ordinal) && !name.Contains(' ')) return name;
        return null;
    }

    /// <summary>Whether <paramref name="name"/> names a temporary snapshot whose owner is gone.</summary>
    public static bool IsLeftover(string name, LiveLeases leases)
    {
        if (LeaseOf(name) is { } lease) return !leases.IsLive(lease);
        if (name.StartsWith(ExtractPrefix, StringComparison.Ordinal))
        {
            var dash = name.IndexOf('-', ExtractPrefix.Length);
            if (dash > 0 && int.TryParse(name.AsSpan(ExtractPrefix.Length, dash - ExtractPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
                return !LiveLeases.IsProcessRunning(pid);
        }
        return false;
    }
}
