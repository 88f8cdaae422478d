using Ashlar.Executor.Containers;

namespace Ashlar.Executor.Cgroups;

/// <summary>
/// The cgroup of one container: created with its limits before the init starts (the init joins it first
/// thing), read for CPU time, peak memory and OOM kills after it ends, then removed.
/// </summary>
internal abstract class StepCgroup : IDisposable
{
    internal const string Parent = "ashlar";

    /// <summary>
    /// Where the hierarchy is mounted. Tests point it at the cgroup v2 hierarchy a v1 (hybrid) host mounts at
    /// <c>/sys/fs/cgroup/unified</c>, to run the v2 code for real on such a host.
    /// </summary>
    internal static string Root => UnifiedRootOverride ?? "/sys/fs/cgroup";

    /// <summary>A cgroup v2 hierarchy to use instead of the host's default one (tests).</summary>
    internal static string? UnifiedRootOverride { get; set; }

    /// <summary>Whether <see cref="Root"/> is a cgroup v2 (unified) hierarchy.</summary>
    internal static bool IsUnified => UnifiedRootOverride is not null || File.Exists(Path.Combine(Root, "cgroup.controllers"));

    /// <summary>Tests: a cgroup for every container, even without limits, to exercise creation, accounting and removal.</summary>
    internal static bool AlwaysCreate { get; set; }

    /// <summary>The cgroup.procs files the container's init writes itself into.</summary>
    public abstract IReadOnlyList<string> ProcFiles { get; }

    public abstract CgroupUsage ReadUsage();

    public abstract void Dispose();

    /// <summary>
    /// A cgroup for container <paramref name="id"/> in whichever hierarchy the host has; null without limits,
    /// because joining a cgroup costs an RCU grace period (milliseconds) and rusage already gives CPU and memory.
    /// </summary>
    public static StepCgroup? ForContainer(string id, ResourceLimits limits)
    {
        if ((limits == ResourceLimits.None || limits == new ResourceLimits()) && !AlwaysCreate) return null;
        if (IsUnified)
            return CgroupV2.Create(id, limits);
        if (Directory.Exists(Path.Combine(Root, "memory")))
            return CgroupV1.Create(id, limits);
        if (limits != ResourceLimits.None)
            throw new NotSupportedException("resource limits need cgroups, and no cgroup hierarchy was found under /sys/fs/cgroup");
        return null;
    }

    /// <summary>rmdir of a cgroup can race the kernel's last exits by a moment: retry briefly.</summary>
    protected static void RemoveDirectory(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            try { Directory.Delete(path); return; }
            catch (DirectoryNotFoundException) { return; }
            catch (IOException) when (attempt < 50) { Thread.Sleep(2); }
            catch (IOException) { return; } // leave it; a later run of the same host can still work
        }
    }

    protected static string? ReadText(string path)
    {
        try { return File.ReadAllText(path).Trim(); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    protected static long ReadKeyed(string path, string key)
    {
        var text = ReadText(path);
        if (text is null) return 0;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && parts[0] == key && long.TryParse(parts[1], out var value)) return value;
        }
        return 0;
    }
}
