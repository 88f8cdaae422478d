using Ashlar.Executor.Containers;

namespace Ashlar.Executor.Cgroups;

/// <summary>
/// cgroup v1: one directory per controller (<c>/sys/fs/cgroup/memory/ashlar/&lt;id&gt;</c>, ...). memory and
/// cpuacct are always joined for accounting; cpu, cpuset and pids only when a limit asks for them.
/// </summary>
internal sealed class CgroupV1 : StepCgroup
{
    private readonly Dictionary<string, string> _dirs; // controller -> directory

    private CgroupV1(Dictionary<string, string> dirs) => _dirs = dirs;

    public override IReadOnlyList<string> ProcFiles => _dirs.Values.Select(d => Path.Combine(d, "cgroup.procs")).ToList();

    public static CgroupV1 Create(string id, ResourceLimits limits)
    {
        var controllers = new List<string> { "memory", "cpuacct" };
        if (limits.CpuShares is not null) controllers.Add("cpu");
        if (limits.CpusetCpus is not null) controllers.Add("cpuset");
        if (limits.PidsLimit is not null) controllers.Add("pids");

        var dirs = new Dictionary<string, string>();
        var cgroup = new CgroupV1(dirs);
        try
        {
            foreach (var controller in controllers)
            {
                var hierarchy = Path.Combine(Root, controller);
                if (!Directory.Exists(hierarchy))
                {
                    if (controller is "memory" or "cpuacct") continue; // accounting is best effort
                    throw new NotSupportedException($"the {controller} cgroup controller is not mounted at {hierarchy}");
                }
                var parent = Path.Combine(hierarchy, Parent);
                Directory.CreateDirectory(parent);
                var dir = Path.Combine(parent, id);
                if (controller == "cpuset")
                {
                    // A v1 cpuset cgroup starts empty and refuses tasks until cpus and mems are set.
                    InheritCpuset(hierarchy, parent);
                    Directory.CreateDirectory(dir);
                    InheritCpuset(parent, dir);
                }
                else Directory.CreateDirectory(dir);
                dirs[controller] = dir;
            }

            if (dirs.TryGetValue("memory", out var memory))
            {
                if (limits.MemoryBytes is { } bytes)
                {
                    File.WriteAllText(Path.Combine(memory, "memory.limit_in_bytes"), bytes.ToString());
                    var swapFile = Path.Combine(memory, "memory.memsw.limit_in_bytes");
                    // docker: --memory-swap unset means swap equal to memory (twice in total); -1 is unlimited.
                    var total = limits.MemorySwapBytes ?? bytes * 2;
                    if (File.Exists(swapFile)) File.WriteAllText(swapFile, total.ToString());
                }
            }
            if (limits.CpuShares is { } shares) File.WriteAllText(Path.Combine(dirs["cpu"], "cpu.shares"), shares.ToString());
            if (limits.CpusetCpus is { } cpus) File.WriteAllText(Path.Combine(dirs["cpuset"], "cpuset.cpus"), cpus);
            if (limits.PidsLimit is { } pids) File.WriteAllText(Path.Combine(dirs["pids"], "pids.max"), pids <= 0 ? "max" : pids.ToString());
            return cgroup;
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
    }

    private static void InheritCpuset(string from, string to)
    {
        foreach (var file in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            var target = Path.Combine(to, file);
            if (string.IsNullOrWhiteSpace(ReadText(target)))
                File.WriteAllText(target, ReadText(Path.Combine(from, file)) ?? "");
        }
    }

    public override CgroupUsage ReadUsage()
    {
        var cpu = _dirs.TryGetValue("cpuacct", out var acct) && long.TryParse(ReadText(Path.Combine(acct, "cpuacct.usage")), out var ns)
            ? TimeSpan.FromTicks(ns / 100) : TimeSpan.Zero;
        long peak = 0;
        var oom = false;
        if (_dirs.TryGetValue("memory", out var memory))
        {
            long.TryParse(ReadText(Path.Combine(memory, "memory.max_usage_in_bytes")), out peak);
            oom = ReadKeyed(Path.Combine(memory, "memory.oom_control"), "oom_kill") > 0;
        }
        return new CgroupUsage(cpu, peak, oom);
    }

    public override void Dispose()
    {
        foreach (var dir in _dirs.Values) RemoveDirectory(dir);
    }
}
