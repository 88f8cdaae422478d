using Ashlar.Cli.Tests.Support;

namespace Ashlar.Cli.Tests;

/// <summary>Several ashlar processes on one store: builds side by side, and prune while a build runs.</summary>
public class ConcurrencyTests
{
    [Fact]
    public async Task Four_concurrent_builds_of_overlapping_Dockerfiles_give_correct_images()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync(padding: 1 << 20);
        // The same base (unpacked once, by whichever gets there first), the same first step, then their own.
        var builds = Enumerable.Range(0, 4).Select(i => store.Start(["build", "-t", $"app{i}", store.Context($"""
            FROM busybox
            RUN echo shared > /shared
            RUN echo {i} > /mine
            COPY f /f
            """, ("f", $"file{i}\n"))])).ToList();
        foreach (var build in builds)
        {
            var outcome = await build.WaitAsync();
            Assert.True(outcome.ExitCode == 0, outcome.Stderr);
            build.Dispose();
        }

        for (var i = 0; i < 4; i++)
        {
            var run = await store.RunAsync("run", $"app{i}", "cat", "/shared", "/mine", "/f");
            Assert.True(run.ExitCode == 0, run.Stderr);
            Assert.Equal($"shared\n{i}\nfile{i}\n", run.Stdout);
        }
        var check = await store.RunAsync("check");
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Empty(store.Leftovers());
    }

    [Fact]
    public async Task Prune_while_a_build_runs_never_breaks_the_build()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync();
        // A layer written early stays unreferenced until the image is written at the end: prune must leave it.
        var context = store.Context("""
            FROM busybox
            RUN dd if=/dev/urandom of=/blob bs=64k count=8 2>/dev/null && echo a > /a
            RUN sleep 2
            COPY f /f
            RUN cat /a /f > /out
            """, ("f", "file\n"));
        using var build = store.Start(["build", "-t", "app", context]);
        var prunes = 0;
        while (!build.Process.HasExited)
        {
            var prune = await store.RunAsync("prune", "-f", "--all");
            Assert.True(prune.ExitCode == 0, prune.Stderr);
            prunes++;
        }
        var outcome = await build.WaitAsync();
        Assert.True(outcome.ExitCode == 0, $"build failed while {prunes} prunes ran: {outcome.Stderr}");
        Assert.True(prunes > 0);

        var run = await store.RunAsync("run", "app", "cat", "/out");
        Assert.Equal("a\nfile\n", run.Stdout);
        Assert.Equal(0, (await store.RunAsync("check")).ExitCode);
    }
}
