using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

public sealed class MultistageTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task Copy_from_stage_by_name_and_index_and_from_an_image()
    {
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox AS build
            RUN echo built > /artifact
            FROM busybox
            RUN echo second > /second
            FROM scratch
            COPY --from=build /artifact /from-name
            COPY --from=1 /second /from-index
            COPY --from=busybox /etc/passwd /passwd
            """));
        Assert.Equal("built\n", File.ReadAllText(Path.Combine(files, "from-name")));
        Assert.Equal("second\n", File.ReadAllText(Path.Combine(files, "from-index")));
        Assert.Contains("app:x:1000", File.ReadAllText(Path.Combine(files, "passwd")));
        Assert.Equal(3, Directory.EnumerateFileSystemEntries(files).Count());
    }

    [Fact]
    public async Task From_a_stage_continues_its_files_and_config()
    {
        var built = await fixture.BuildAsync("""
            FROM busybox AS base
            ENV FROM_BASE=yes
            RUN echo base > /base
            FROM base
            RUN test -f /base && echo "$FROM_BASE" > /child
            """);
        Assert.Contains("FROM_BASE=yes", built.Config.Env!);
        Assert.Equal(3, built.Image.Manifest.Layers.Count);
    }

    [Fact]
    public async Task Target_builds_only_the_stages_it_needs()
    {
        var request = fixture.Request("""
            FROM busybox AS broken
            RUN exit 1
            FROM busybox AS wanted
            RUN echo ok > /ok
            FROM wanted AS last
            RUN exit 1
            """) with { Target = "wanted" };
        var built = await fixture.BuildAsync(request);
        Assert.DoesNotContain(built.Log.All, e => e.Name.Contains("RUN exit 1"));
        Assert.Contains(built.Log.All, e => e.Name.Contains("[wanted 2/2] RUN echo ok"));
    }

    [Fact]
    public async Task Independent_stages_run_and_a_failure_cancels_the_build()
    {
        var request = fixture.Request("""
            FROM busybox AS slow
            RUN sleep 30
            FROM busybox AS failing
            RUN exit 7
            FROM scratch
            COPY --from=slow /bin/busybox /a
            COPY --from=failing /bin/busybox /b
            """);
        var started = DateTime.UtcNow;
        var error = await Assert.ThrowsAsync<BuildException>(() => Builder.BuildAsync(request));
        Assert.Equal(7, error.ExitCode);
        Assert.Equal(4, error.Line);
    }
}
