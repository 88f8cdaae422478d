namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// What differs between BuildKit's image and Ashlar's: every path of the final rootfs (type, mode, owner, size,
/// content digest, link target, xattrs) and the config fields and history a Dockerfile sets.
/// </summary>
/// <remarks>
/// Modification times are compared only where they are deterministic: for non-directories whose time (on either side)
/// predates the build, i.e. came from the context, an archive or the base image rather than from the clock of the
/// build. Directory times are not compared: both engines touch them as they write inside.
/// <para>
/// dockerd 20.10's BuildKit (v0.8) leaves the empty directories it created as mount points of a RUN (/dev, /proc,
/// /sys, a <c>--mount</c> target) in the layer; BuildKit since v0.10 removes them again, as Ashlar never makes them.
/// Such an empty directory that only BuildKit has is not a difference (<paramref name="mountPoints"/>).
/// </para>
/// </remarks>
internal static class ImageComparison
{
    public static List<string> Differences(SavedImage buildKit, SavedImage ashlar, long buildStarted, IReadOnlySet<string> mountPoints)
    {
        var differences = new List<string>();
        foreach (var path in buildKit.Files.Keys.Union(ashlar.Files.Keys).Order(StringComparer.Ordinal))
        {
            buildKit.Files.TryGetValue(path, out var theirs);
            ashlar.Files.TryGetValue(path, out var ours);
            if (ours is null && theirs!.Type == 'd' && mountPoints.Contains(path)
                && !buildKit.Files.Keys.Any(k => k.StartsWith(path + "/", StringComparison.Ordinal)))
                continue;
            if (ours is null) { differences.Add($"only BuildKit has   {theirs!.Describe(false)}"); continue; }
            if (theirs is null) { differences.Add($"only Ashlar has     {ours.Describe(false)}"); continue; }
            var withMtime = theirs.Type != 'd' && ours.Type != 'd' && (theirs.Mtime < buildStarted || ours.Mtime < buildStarted);
            var (a, b) = (theirs.Describe(withMtime), ours.Describe(withMtime));
            if (a != b) differences.Add($"BuildKit: {a}\n    Ashlar:   {b}");
        }
        foreach (var field in SavedImage.ConfigFields)
            if (buildKit.Config[field] != ashlar.Config[field])
                differences.Add($"config {field}: BuildKit {buildKit.Config[field]}\n    Ashlar   {ashlar.Config[field]}");
        var history = Math.Max(buildKit.History.Count, ashlar.History.Count);
        for (var i = 0; i < history; i++)
        {
            var theirs = i < buildKit.History.Count ? buildKit.History[i] : "(none)";
            var ours = i < ashlar.History.Count ? ashlar.History[i] : "(none)";
            if (theirs != ours) differences.Add($"history[{i}]: BuildKit {theirs}\n    Ashlar     {ours}");
        }
        return differences;
    }
}
