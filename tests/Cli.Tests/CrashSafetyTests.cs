using System.Diagnostics;
using Ashlar.Cli.Tests.Support;
using Xunit.Abstractions;

namespace Ashlar.Cli.Tests;

/// <summary>
/// A build killed with SIGKILL at any moment (unpacking the base, in a RUN step, writing a layer, committing, tagging,
/// collecting garbage) leaves a store the next build uses without error, that <c>ashlar check</c> passes, and whose
/// leftovers prune collects.
/// </summary>
public class CrashSafetyTests(ITestOutputHelper output)
{
    private const int Kills = 20;

    private const string Dockerfile = """
        FROM busybox
        RUN dd if=/dev/urandom of=/big bs=64k count=32 2>/dev/null && echo one > /one
        COPY . /ctx
        RUN echo two > /two && ls /ctx > /list
        """;

    // A tiny limit makes every build end with an automatic collection, so kills land in it too.
    private static readonly Dictionary<string, string> TinyGcLimit = new() { ["ASHLAR_GC_KEEP_STORAGE"] = "1MB" };

    [Fact]
    public async Task Builds_killed_at_random_points_leave_a_store_that_builds_checks_and_prunes_clean()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync(padding: 2 << 20);
        var files = Enumerable.Range(0, 40).Select(i => ($"src/f{i:D2}.txt", new string('x', 2000 + i))).ToArray();
        var context = store.Context(Dockerfile, files);

        // One whole build first: its length spreads the kills over every phase.
        var clock = Stopwatch.StartNew();
        var first = await store.Start(["build", "-t", "crash", context], TinyGcLimit).WaitAsync();
        var whole = clock.Elapsed;
        Assert.True(first.ExitCode == 0, first.Stderr);
        output.WriteLine($"a whole build takes {whole.TotalMilliseconds:F0} ms");

        var random = new Random(6);
        for (var i = 0; i < Kills; i++)
        {
            if (i % 5 == 4)
            {
                // A new base image now and then, so later kills also land while its layer is unpacked.
                await store.ImportBusyboxAsync(padding: (2 << 20) + i);
            }
            var delay = TimeSpan.FromMilliseconds(random.Next(100, (int)Math.Min(whole.TotalMilliseconds * 1.1, 8000)));
            using var build = store.Start(["build", "-t", "crash", context], TinyGcLimit);
            await Task.Delay(delay);
            await build.KillAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: kill {i + 1} after {delay.TotalMilliseconds:F0} ms, leftovers: {string.Join(", ", store.Leftovers())}");
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: the kills are done");
        var clean = await store.RunAsync("build", "-t", "crash", context);
        Assert.True(clean.ExitCode == 0, clean.Stderr);
        var run = await store.RunAsync("run", "crash", "cat", "/one", "/two");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal("one\ntwo\n", run.Stdout);

        var check = await store.RunAsync("check");
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);

        var prune = await store.RunAsync("prune", "-f");
        Assert.True(prune.ExitCode == 0, prune.Stderr);
        Assert.Empty(store.Leftovers());
        var after = await store.RunAsync("check");
        Assert.True(after.ExitCode == 0, after.Stdout + after.Stderr);
        Assert.Equal(0, (await store.RunAsync("run", "crash", "cat", "/one")).ExitCode);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1}s: all done");
    }
}
