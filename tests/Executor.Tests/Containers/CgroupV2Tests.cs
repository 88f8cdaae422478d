using Ashlar.Executor.Cgroups;
using Ashlar.Executor.Containers;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>
/// The cgroup v2 code for real: on a v2 host its own hierarchy, on a v1 (hybrid) host like this one the unified
/// hierarchy mounted beside the v1 controllers, which has no memory, cpu or pids controller of its own.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class CgroupV2Tests(ContainerFixture fixture)
{
    private static string? UnifiedRoot =>
        File.Exists("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup"
        : File.Exists("/sys/fs/cgroup/unified/cgroup.controllers") ? "/sys/fs/cgroup/unified" : null;

    [Fact]
    public async Task A_step_runs_in_its_own_v2_cgroup_which_is_gone_afterwards()
    {
        if (UnifiedRoot is not { } root) return; // no cgroup v2 hierarchy on this host
        var run = await WithV2(root, () => fixture.RunAsync("cat /proc/self/cgroup | grep '^0::'; i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"));

        var cgroup = Assert.Single(run.Stdout)[3..];
        Assert.Matches("^/ashlar/[0-9a-f]{12}$", cgroup);
        Assert.False(Directory.Exists(root + cgroup));
        Assert.True(run.Result.CpuTime > TimeSpan.Zero, "cpu.stat accounted the step");
    }

    [Fact]
    public async Task The_v2_device_program_allows_only_Dockers_devices()
    {
        if (UnifiedRoot is not { } root) return;
        // Only the eBPF program guards devices here: with v2 selected, the init does not join the v1 devices cgroup.
        var run = await WithV2(root, () => fixture.RunAsync(
            "mknod /tmp/kmsg c 1 11 && echo made; head -c 1 /tmp/kmsg; echo kmsg=$?; head -c 4 /dev/zero | wc -c; grep '^0::' /proc/self/cgroup"));

        Assert.Equal(["made", "kmsg=1", "4"], run.Stdout.Take(3));
        Assert.Contains(run.Stderr, line => line.Contains("Operation not permitted"));
        Assert.StartsWith("0::/ashlar/", run.Stdout[3]);
    }

    [Fact]
    public async Task A_limit_whose_controller_v2_lacks_is_a_clear_error()
    {
        if (UnifiedRoot is not { } root) return;
        if (File.ReadAllText(Path.Combine(root, "cgroup.controllers")).Contains("memory")) return; // a real v2 host has it
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => WithV2(root, () =>
            fixture.RunAsync("true", configure: s => s with { Limits = new ResourceLimits { MemoryBytes = 64 << 20 } })));

        Assert.Contains("--memory needs the memory cgroup controller", error.Message);
        var left = Directory.EnumerateDirectories(Path.Combine(root, "ashlar")).Select(Path.GetFileName).Where(d => d != "sandbox");
        Assert.Empty(left);
    }

    private static async Task<T> WithV2<T>(string root, Func<Task<T>> run)
    {
        StepCgroup.UnifiedRootOverride = root;
        StepCgroup.AlwaysCreate = true;
        try { return await run(); }
        finally
        {
            StepCgroup.UnifiedRootOverride = null;
            StepCgroup.AlwaysCreate = false;
        }
    }
}
