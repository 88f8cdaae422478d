using Ashlar.Executor.Containers;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>What a RUN step sees of the machine: its own PID 1, hostname, filesystem, capabilities.</summary>
[Collection(ContainerCollection.Name)]
public sealed class IsolationTests(ContainerFixture fixture)
{
    [Fact]
    public async Task The_command_is_pid_1_of_its_own_pid_namespace()
    {
        var run = await fixture.RunAsync("echo $$; ls /proc | grep -E '^[0-9]+$' | wc -l");

        Assert.Equal(0, run.Result.ExitCode);
        Assert.Equal("1", run.Stdout[0]);
        // Only the shell and its pipeline are visible, none of the host's processes.
        Assert.InRange(int.Parse(run.Stdout[1].Trim()), 1, 5);
    }

    [Fact]
    public async Task The_container_has_its_own_hostname()
    {
        var run = await fixture.RunAsync("hostname; cat /etc/hostname", configure: s => s with { Hostname = "step-host" });

        Assert.Equal(["step-host", "step-host"], run.Stdout);
        Assert.NotEqual("step-host", Environment.MachineName);
    }

    [Fact]
    public async Task No_host_file_is_visible()
    {
        var marker = Path.Combine(fixture.Root, "host-only-marker");
        await File.WriteAllTextAsync(marker, "host");

        var run = await fixture.RunAsync($"test -e {marker} && echo visible; test -e /bin/busybox && echo busybox; ls /");

        Assert.DoesNotContain("visible", run.Stdout);
        Assert.Contains("busybox", run.Stdout);
        Assert.DoesNotContain("usr", run.Stdout); // the host has /usr, the busybox image has not
    }

    [Fact]
    public async Task Proc_sys_is_read_only()
    {
        var run = await fixture.RunAsync("echo x > /proc/sys/kernel/domainname && echo wrote; grep ' /proc/sys ' /proc/self/mountinfo");

        Assert.DoesNotContain("wrote", run.Stdout);
        Assert.Contains(run.Stderr, l => l.Contains("Read-only file system"));
        Assert.Contains(" ro,", run.Output);
    }

    [Fact]
    public async Task Root_gets_dockers_default_capabilities()
    {
        var run = await fixture.RunAsync("grep -E '^Cap(Eff|Bnd)' /proc/self/status; grep NoNewPrivs /proc/self/status");

        Assert.Contains("CapEff:\t00000000a80425fb", run.Stdout);
        Assert.Contains("CapBnd:\t00000000a80425fb", run.Stdout);
        Assert.Contains("NoNewPrivs:\t0", run.Stdout);
    }
}
