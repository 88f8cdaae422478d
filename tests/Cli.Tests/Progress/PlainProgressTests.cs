using Snapshooter.Xunit;

namespace Ashlar.Cli.Tests.Progress;

/// <summary><c>--progress plain</c> of real builds, times and digests normalised, against snapshots of BuildKit's format.</summary>
public sealed class PlainProgressTests(BusyboxStore store) : IClassFixture<BusyboxStore>
{
    [Fact]
    public async Task A_small_build_prints_numbered_steps_output_lines_and_the_image()
    {
        var context = store.Context("""
            FROM busybox
            COPY hello.txt /hello.txt
            RUN echo "built on $(cat /hello.txt)" && echo second line
            """, ("hello.txt", "hello"));

        var built = await BusyboxStore.BuildInAsync(await store.NewStoreAsync(), "--progress", "plain", "-t", "progress-plain", "--build-arg", "UNUSED=1", context);

        Assert.True(built.ExitCode == 0, built.Stderr);
        Assert.Equal("", built.Stdout);
        Snapshot.Match(BusyboxStore.Normalise(built.Stderr));
    }

    [Fact]
    public async Task A_failing_RUN_prints_its_last_lines_the_Dockerfile_excerpt_and_the_error()
    {
        var context = store.Context("""
            FROM busybox
            RUN echo about to fail && exit 3
            LABEL never=reached
            """);

        var built = await BusyboxStore.BuildInAsync(await store.NewStoreAsync(), "--progress", "plain", context);

        Assert.Equal(1, built.ExitCode);
        Snapshot.Match(BusyboxStore.Normalise(built.Stderr));
    }

    [Fact]
    public async Task A_rebuild_prints_CACHED_for_the_steps_the_cache_serves()
    {
        var storeRoot = await store.NewStoreAsync();
        var context = store.Context("FROM busybox\nCOPY hello.txt /hello.txt\nRUN echo built\n", ("hello.txt", "hello"));
        Assert.Equal(0, (await BusyboxStore.BuildInAsync(storeRoot, "--progress", "plain", context)).ExitCode);

        var rebuilt = await BusyboxStore.BuildInAsync(storeRoot, "--progress", "plain", context);

        Assert.True(rebuilt.ExitCode == 0, rebuilt.Stderr);
        var lines = BusyboxStore.Normalise(rebuilt.Stderr);
        Assert.Contains("#2 CACHED", lines);
        Assert.Contains("#3 CACHED", lines);
        Assert.DoesNotContain(lines, l => l.Contains("missed", StringComparison.Ordinal) || l == "#3 0.000 built");
    }

    [Fact]
    public async Task Quiet_prints_only_the_image_id()
    {
        var context = store.Context("FROM busybox\nRUN echo not shown\n");

        var built = await store.BuildAsync("-q", context);

        Assert.True(built.ExitCode == 0, built.Stderr);
        Assert.Matches(@"^sha256:[0-9a-f]{64}\n$", built.Stdout);
        Assert.Equal("", built.Stderr);
    }

    [Fact]
    public async Task An_unknown_progress_mode_is_a_usage_error()
    {
        var built = await store.BuildAsync("--progress", "fancy", store.Context("FROM busybox\n"));

        Assert.Equal(2, built.ExitCode);
        Assert.Contains("invalid --progress \"fancy\"", built.Stderr);
    }
}
