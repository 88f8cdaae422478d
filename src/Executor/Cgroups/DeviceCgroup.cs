namespace Ashlar.Executor.Cgroups;

/// <summary>
/// The cgroup every sandboxed container's init joins before it gets its spec, shared by all of them because the
/// rules never change: Docker's default device rules, as cgroup v1's devices controller
/// (<c>devices/ashlar</c>) or, on cgroup v2, an eBPF program on <c>ashlar</c> that its leaf <c>ashlar/sandbox</c>
/// and every step cgroup beside it inherit. Set up once per process.
/// </summary>
internal static class DeviceCgroup
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, string?> Prepared = [];

    /// <summary>The cgroup.procs file to join for Docker's device rules, or null when this host has no way to enforce them.</summary>
    public static string? ProcFile
    {
        get
        {
            var root = StepCgroup.Root;
            var unified = StepCgroup.IsUnified;
            lock (Gate)
            {
                if (!Prepared.TryGetValue(root, out var procs))
                    Prepared[root] = procs = TryPrepare(root, unified);
                return procs;
            }
        }
    }

    /// <summary>
    /// A read-only or delegated-away cgroup hierarchy (Ashlar inside a container) cannot take the rules: containers
    /// then run without them, like before device rules existed, rather than not at all. Their /dev still holds only
    /// Docker's devices; a node made with mknod could be opened.
    /// </summary>
    private static string? TryPrepare(string root, bool unified)
    {
        try { return unified ? PrepareV2(root) : PrepareV1(root); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>Moves <paramref name="pid"/> (an init that has run nothing of the container's yet) into the cgroup.</summary>
    public static void Join(string procFile, int pid) => File.WriteAllText(procFile, pid.ToString());

    private static string? PrepareV1(string root)
    {
        var hierarchy = Path.Combine(root, "devices");
        if (!Directory.Exists(hierarchy)) return null;
        var dir = Path.Combine(hierarchy, StepCgroup.Parent);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "devices.deny"), "a");
        foreach (var rule in DeviceRule.DockerDefault)
            File.WriteAllText(Path.Combine(dir, "devices.allow"), rule.ToString());
        foreach (var type in new[] { 'c', 'b' })
            File.WriteAllText(Path.Combine(dir, "devices.allow"), $"{type} *:* m");
        return Path.Combine(dir, "cgroup.procs");
    }

    private static string PrepareV2(string root)
    {
        var parent = Path.Combine(root, StepCgroup.Parent);
        var sandbox = Path.Combine(parent, "sandbox");
        Directory.CreateDirectory(sandbox);
        DeviceProgram.Attach(parent, DeviceRule.DockerDefault);
        return Path.Combine(sandbox, "cgroup.procs");
    }
}
