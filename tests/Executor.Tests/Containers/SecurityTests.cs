using Ashlar.Executor.Containers;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>Docker's confinement: its seccomp profile, capability sets and device rules, and the insecure opt-out.</summary>
[Collection(ContainerCollection.Name)]
public sealed class SecurityTests(ContainerFixture fixture)
{
    [Fact]
    public async Task A_syscall_Docker_blocks_fails_with_EPERM_while_normal_programs_work()
    {
        // unshare(CLONE_NEWUSER) needs no capability: only the seccomp profile refuses it.
        var run = await fixture.RunAsync("unshare -U true; echo unshare=$?; ls / | grep -c bin; echo hi | wc -c; date +%Y > /dev/null && echo date");

        Assert.Contains(run.Stderr, line => line.Contains("Operation not permitted"));
        Assert.Equal(["unshare=1", "1", "3", "date"], run.Stdout);
    }

    [Fact]
    public async Task Insecure_runs_without_the_seccomp_filter()
    {
        var run = await fixture.RunAsync("unshare -U true; echo unshare=$?; grep Seccomp: /proc/self/status",
            configure: s => s with { Security = SecurityMode.Insecure });

        Assert.Equal("unshare=0", run.Stdout[0]);
        Assert.Matches(@"^Seccomp:\s+0$", run.Stdout[1]);
    }

    [Fact]
    public async Task The_filter_mode_and_privilege_flags_match_Docker()
    {
        var run = await fixture.RunAsync("grep -E '^(Seccomp|NoNewPrivs|CapInh|CapPrm|CapEff|CapBnd|CapAmb):' /proc/self/status");

        var fields = run.Stdout.Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.Equal("2", fields["Seccomp"]); // a filter, as under Docker
        Assert.Equal("0", fields["NoNewPrivs"]); // Docker leaves no_new_privs off: setuid programs still work
        Assert.Equal("0000000000000000", fields["CapInh"]);
        Assert.Equal("00000000a80425fb", fields["CapPrm"]);
        Assert.Equal("00000000a80425fb", fields["CapEff"]);
        Assert.Equal("00000000a80425fb", fields["CapBnd"]);
        Assert.Equal("0000000000000000", fields["CapAmb"]);
    }

    [Fact]
    public async Task Clone_with_a_namespace_flag_is_refused_but_fork_works()
    {
        // busybox unshare -m uses unshare(2); a plain fork of a pipeline uses clone(2) without namespace flags.
        var run = await fixture.RunAsync("unshare -m true 2>/dev/null; echo $?; echo a | cat | cat");

        Assert.Equal(["1", "a"], run.Stdout);
    }

    [Fact]
    public async Task Only_Dockers_devices_can_be_opened_though_any_node_can_be_made()
    {
        var run = await fixture.RunAsync(
            "mknod /tmp/kmsg c 1 11 && echo made; head -c 1 /tmp/kmsg; echo kmsg=$?; head -c 4 /dev/urandom | wc -c; echo x > /dev/null && echo null");

        Assert.Equal(["made", "kmsg=1", "4", "null"], run.Stdout);
        Assert.Contains(run.Stderr, line => line.Contains("Operation not permitted"));
    }
}
