using Ashlar.Executor.Containers;

namespace Ashlar.Executor.Cgroups;

/// <summary>cgroup v2: one directory <c>/sys/fs/cgroup/ashlar/&lt;id&gt;</c> with every controller enabled above it.</summary>
internal sealed class CgroupV2 : StepCgroup
{
    private readonly string _dir;

    private CgroupV2(string dir) => _dir = dir;

    public override IReadOnlyList<string> ProcFiles => [Path.Combine(_dir, "cgroup.procs")];

    public static CgroupV2 Create(string id, ResourceLimits limits)
    {
        var parent = Path.Combine(Root, Parent);
        Directory.CreateDirectory(parent);
        EnableControllers(Root);
        EnableControllers(parent);
        var dir = Path.Combine(parent, id);
        Directory.CreateDirectory(dir);
        var cgroup = new CgroupV2(dir);
        try
        {
            if (limits.MemoryBytes is not null) Require(dir, "memory", "--memory");
            if (limits.CpuShares is not null) Require(dir, "cpu", "--cpu-shares");
            if (limits.CpusetCpus is not null) Require(dir, "cpuset", "--cpuset-cpus");
            if (limits.PidsLimit is not null) Require(dir, "pids", "--pids-limit");
            if (limits.MemoryBytes is { } bytes)
            {
                File.WriteAllText(Path.Combine(dir, "memory.max"), bytes.ToString());
                // docker's --memory-swap is memory plus swap; v2 limits swap alone.
                var swap = limits.MemorySwapBytes switch { null => bytes, -1 => -1, { } total => Math.Max(0, total - bytes) };
                var swapFile = Path.Combine(dir, "memory.swap.max");
                if (File.Exists(swapFile)) File.WriteAllText(swapFile, swap < 0 ? "max" : swap.ToString());
            }
            // docker's conversion of cpu-shares (2..262144) to cpu.weight (1..10000).
            if (limits.CpuShares is { } shares)
                File.WriteAllText(Path.Combine(dir, "cpu.weight"), (1 + (Math.Clamp(shares, 2, 262144) - 2) * 9999 / 262142).ToString());
            if (limits.CpusetCpus is { } cpus) File.WriteAllText(Path.Combine(dir, "cpuset.cpus"), cpus);
            if (limits.PidsLimit is { } pids) File.WriteAllText(Path.Combine(dir, "pids.max"), pids <= 0 ? "max" : pids.ToString());
            return cgroup;
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
    }

    /// <summary>A limit whose controller the hierarchy does not give this cgroup is an error, not silently ignored.</summary>
    private static void Require(string dir, string controller, string flag)
    {
        var available = ReadText(Path.Combine(dir, "cgroup.controllers"))?.Split(' ') ?? [];
        if (!available.Contains(controller))
            throw new NotSupportedException(
                $"{flag} needs the {controller} cgroup controller, which is not enabled for {dir} (cgroup v2; enabled: {(available is [""] or [] ? "none" : string.Join(' ', available))})");
    }

    private static void EnableControllers(string dir)
    {
        var available = ReadText(Path.Combine(dir, "cgroup.controllers"))?.Split(' ') ?? [];
        var wanted = new[] { "memory", "cpu", "cpuset", "pids" }.Where(available.Contains).Select(c => "+" + c);
        try { File.WriteAllText(Path.Combine(dir, "cgroup.subtree_control"), string.Join(' ', wanted)); }
        catch (IOException) { } // already enabled, or the root has processes: the limits that need it will say so
    }

    public override CgroupUsage ReadUsage()
    {
        var cpu = TimeSpan.FromMicroseconds(ReadKeyed(Path.Combine(_dir, "cpu.stat"), "usage_usec"));
        long.TryParse(ReadText(Path.Combine(_dir, "memory.peak")), out var peak);
        var oom = ReadKeyed(Path.Combine(_dir, "memory.events"), "oom_kill") > 0;
        return new CgroupUsage(cpu, peak, oom);
    }

    public override void Dispose() => RemoveDirectory(_dir);
}
