using Ashlar.Executor.Containers;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>How a container ends: exit codes, cancellation, daemons, missing commands, the memory limit.</summary>
[Collection(ContainerCollection.Name)]
public sealed class LifecycleTests(ContainerFixture fixture)
{
    [Fact]
    public async Task The_exit_code_is_returned()
    {
        var run = await fixture.RunAsync("echo out; echo err >&2; exit 3");

        Assert.Equal(3, run.Result.ExitCode);
        Assert.Null(run.Result.Signal);
        Assert.Equal(["out"], run.Stdout);
        Assert.Equal(["err"], run.Stderr);
    }

    [Fact]
    public async Task Cancelling_kills_the_container_and_leaves_nothing_behind()
    {
        using var cancel = new CancellationTokenSource();
        var started = new TaskCompletionSource();
        var run = fixture.RunAsync("echo ready; sleep 1000417", configure: s => s with { StandardOutput = _ => started.TrySetResult() },
            cancellationToken: cancel.Token);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.NotEmpty(HostProbe.ProcessesWith("sleep 1000417"));

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Empty(HostProbe.ProcessesWith("sleep 1000417"));
        Assert.Empty(HostProbe.MountsMentioning(fixture.Root));
        Assert.Empty(HostProbe.MountsMentioning("ashlar-run"));
    }

    [Fact]
    public async Task A_timeout_kills_the_container_and_says_so()
    {
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() =>
            fixture.RunAsync("sleep 1000611", configure: s => s with { Timeout = TimeSpan.FromMilliseconds(300) }));

        Assert.Contains("did not finish within", timeout.Message);
        Assert.Empty(HostProbe.ProcessesWith("sleep 1000611"));
    }

    [Fact]
    public async Task The_pids_limit_stops_a_fork_storm()
    {
        // busybox sh gives up at the first failed fork; PID 1 exiting takes the sleeps with it.
        var run = await fixture.RunAsync("for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do sleep 5 & done; echo all-started",
            configure: s => s with { Limits = new ResourceLimits { PidsLimit = 10 } });

        Assert.Empty(run.Stdout);
        Assert.Contains(run.Stderr, line => line.Contains("can't fork"));
        Assert.NotEqual(0, run.Result.ExitCode);
    }

    [Fact]
    public async Task A_daemon_forked_by_the_step_does_not_outlive_it()
    {
        var run = await fixture.RunAsync("(sleep 1000533 > /dev/null 2>&1 &); echo forked");

        Assert.Equal(["forked"], run.Stdout);
        Assert.Empty(HostProbe.ProcessesWith("sleep 1000533"));
        Assert.Empty(HostProbe.MountsMentioning("ashlar-run"));
    }

    [Fact]
    public async Task A_missing_command_says_exec_not_found_with_its_name()
    {
        var failure = await Assert.ThrowsAsync<ContainerStartException>(() =>
            fixture.RunAsync("", configure: s => s with { Args = ["no-such-command", "arg"] }));

        Assert.Equal("exec", failure.Step);
        Assert.Contains("exec: \"no-such-command\"", failure.Message);
        Assert.Contains("not found", failure.Message);
    }

    [Fact]
    public async Task An_unknown_user_is_a_clear_error()
    {
        var failure = await Assert.ThrowsAsync<ContainerStartException>(() =>
            fixture.RunAsync("id", configure: s => s with { User = "ghost" }));

        Assert.Contains("unable to find user ghost", failure.Message);
    }

    [Fact]
    public async Task Exceeding_the_memory_limit_is_reported_as_an_oom_kill()
    {
        var limits = new ResourceLimits { MemoryBytes = 32 << 20, MemorySwapBytes = 32 << 20 };

        var run = await fixture.RunAsync("dd if=/dev/zero of=/dev/null bs=128M count=1; echo survived",
            configure: s => s with { Limits = limits });

        Assert.True(run.Result.OomKilled, $"expected an OOM kill, got {run.Result}");
        Assert.Contains("memory limit", run.Result.ToString());
        Assert.True(run.Result.PeakMemoryBytes > 16 << 20);
    }

    [Fact]
    public async Task Cpu_time_and_peak_memory_are_measured()
    {
        var run = await fixture.RunAsync("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done");

        Assert.Equal(0, run.Result.ExitCode);
        Assert.True(run.Result.CpuTime > TimeSpan.Zero);
        Assert.True(run.Result.PeakMemoryBytes > 0);
        Assert.False(run.Result.OomKilled);
    }

    [Fact]
    public async Task Stdin_is_passed_through()
    {
        var run = await fixture.RunAsync("tr a-z A-Z",
            configure: s => s with { StandardInput = new MemoryStream("hello stdin\n"u8.ToArray()) });

        Assert.Equal(["HELLO STDIN"], run.Stdout);
    }
}
