using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>The COPY rows of the edit matrix: what changes a COPY's key (content, effective mode) and what must not (mtime, ignored files, formatting).</summary>
public sealed class CopyCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private string Dockerfile(string marker, string chmod = "") => $"""
        FROM busybox
        RUN echo {marker} > /marker
        COPY {chmod}src/ /src/
        RUN cat /src/a.txt > /copy-of-a
        """;

    private string Context(string marker) => fixture.Context(("src/a.txt", "a " + marker), ("src/b.sh", "echo b"), ("notes/readme", "r"));

    [Fact]
    public async Task An_unchanged_rebuild_runs_nothing_and_gives_the_same_image()
    {
        var marker = CacheOutcome.Unique();
        var context = Context(marker);
        var first = await fixture.BuildAsync(Dockerfile(marker), context);
        Assert.Equal("RRR", first.Pattern());
        var second = await fixture.BuildAsync(Dockerfile(marker), context);
        Assert.Equal("CCC", second.Pattern());
        Assert.Equal(first.Result.ImageDigest, second.Result.ImageDigest);
        Assert.All(second.Log.All.Where(e => e.Kind == BuildEventKind.StepCached), e => Assert.True(e.Cached));
        Assert.DoesNotContain(second.Log.All, e => e.Kind == BuildEventKind.StepOutput);
    }

    [Fact]
    public async Task A_content_change_misses_from_that_COPY_on_and_names_the_file()
    {
        var marker = CacheOutcome.Unique();
        var context = Context(marker);
        await fixture.BuildAsync(Dockerfile(marker), context);
        File.WriteAllText(Path.Combine(context, "src/a.txt"), "changed " + marker);
        var rebuilt = await fixture.BuildAsync(Dockerfile(marker), context);
        Assert.Equal("CRR", rebuilt.Pattern());
        Assert.Equal("COPY src/ /src/ missed: src/a.txt content changed", rebuilt.Step("COPY").MissReason);
        Assert.Contains(rebuilt.Log.All, e => e.Kind == BuildEventKind.StepCacheMiss && e.Reason == rebuilt.Step("COPY").MissReason);
        var files = await fixture.FilesAsync(fixture.Request(Dockerfile(marker), context));
        Assert.Equal("changed " + marker, File.ReadAllText(Path.Combine(files, "copy-of-a")));
    }

    [Fact]
    public async Task A_mode_only_change_misses_without_chmod_and_hits_with_it()
    {
        var marker = CacheOutcome.Unique();
        var context = Context(marker);
        File.SetUnixFileMode(Path.Combine(context, "src/b.sh"), (UnixFileMode)Convert.ToInt32("644", 8));
        await fixture.BuildAsync(Dockerfile(marker), context);
        await fixture.BuildAsync(Dockerfile(marker, "--chmod=755 "), context);

        File.SetUnixFileMode(Path.Combine(context, "src/b.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
        var plain = await fixture.BuildAsync(Dockerfile(marker), context);
        Assert.Equal("CRR", plain.Pattern());
        Assert.Equal("COPY src/ /src/ missed: src/b.sh mode changed (644 -> 755)", plain.Step("COPY").MissReason);
        var chmod = await fixture.BuildAsync(Dockerfile(marker, "--chmod=755 "), context);
        Assert.Equal("CCC", chmod.Pattern());
    }

    [Fact]
    public async Task An_mtime_touch_hits()
    {
        var marker = CacheOutcome.Unique();
        var context = Context(marker);
        var first = await fixture.BuildAsync(Dockerfile(marker), context);
        File.SetLastWriteTimeUtc(Path.Combine(context, "src/a.txt"), DateTime.UtcNow.AddHours(1));
        var touched = await fixture.BuildAsync(Dockerfile(marker), context);
        Assert.Equal("CCC", touched.Pattern());
        Assert.Equal(first.Result.ImageDigest, touched.Result.ImageDigest);
    }

    [Fact]
    public async Task A_change_in_a_dockerignored_or_excluded_file_hits()
    {
        var marker = CacheOutcome.Unique();
        var context = fixture.Context(("src/a.txt", marker), ("src/tmp/cache.bin", "x"), ("src/skip.log", "1"), (".dockerignore", "src/tmp\n"));
        var dockerfile = $"FROM busybox\nCOPY --exclude=*.log src/ /src/\nRUN echo {marker} && ls -R /src > /listing\n";
        await fixture.BuildAsync(dockerfile, context);
        File.WriteAllText(Path.Combine(context, "src/tmp/cache.bin"), "changed");
        File.WriteAllText(Path.Combine(context, "src/skip.log"), "changed");
        Directory.CreateDirectory(Path.Combine(context, "src/tmp/new"));
        var rebuilt = await fixture.BuildAsync(dockerfile, context);
        Assert.Equal("CC", rebuilt.Pattern());
    }

    [Fact]
    public async Task A_reformatted_equivalent_instruction_and_a_renamed_stage_hit()
    {
        var marker = CacheOutcome.Unique();
        var context = Context(marker);
        await fixture.BuildAsync($"FROM busybox AS one\nCOPY src/a.txt /a\nRUN echo {marker} > /m\nFROM busybox\nCOPY --from=one /m /m\n", context);
        var rebuilt = await fixture.BuildAsync(
            $"from   busybox   as   two\ncopy \\\n   src/a.txt    /a\nRUN     echo {marker} > /m\nFROM busybox\nCOPY --from=two /m /m\n", context);
        Assert.Equal("CCC", rebuilt.Pattern());
    }

    [Fact]
    public async Task A_metadata_change_above_a_step_does_not_miss_it()
    {
        var marker = CacheOutcome.Unique();
        var context = Context(marker);
        await fixture.BuildAsync($"FROM busybox\nLABEL v=1\nCOPY src/a.txt /a\nRUN echo {marker}\n", context);
        var rebuilt = await fixture.BuildAsync($"FROM busybox\nLABEL v=2\nCOPY src/a.txt /a\nRUN echo {marker}\n", context);
        Assert.Equal("CC", rebuilt.Pattern());
        Assert.Equal("2", rebuilt.Config.Labels!["v"]);
    }
}
