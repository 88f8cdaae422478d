using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

/// <summary>
/// Where RUN mounts get their files: a bind of the context sees it as BuildKit transfers it (.dockerignore applied,
/// files 0:0; checked against dockerd's BuildKit), and a new cache mount can start from a stage's directory.
/// </summary>
public sealed class RunMountSourcesTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task A_bind_of_the_context_leaves_out_dockerignored_files_and_shows_files_as_root()
    {
        var context = fixture.Context(("keep.txt", "keep\n"), ("drop.txt", "secret\n"), ("sub/x.log", "log\n"), ("sub/y.txt", "y\n"),
            (".dockerignore", "drop.txt\n*.log\nsub/*.log\n"));
        _ = Ashlar.Images.Native.LibC.FchownAt(Ashlar.Images.Native.LibC.AT_FDCWD, Path.Combine(context, "keep.txt"), 1234, 1234, 0);
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN --mount=type=bind,target=/ctx find /ctx | sort > /list && stat -c '%n %u:%g %a' /ctx/keep.txt >> /list
            RUN --mount=type=bind,source=sub,target=/sub,rw ls /sub > /sub-list && rm /sub/y.txt
            """, context));

        Assert.Equal("/ctx\n/ctx/.dockerignore\n/ctx/keep.txt\n/ctx/sub\n/ctx/sub/y.txt\n/ctx/keep.txt 0:0 644\n",
            File.ReadAllText(Path.Combine(files, "list")));
        Assert.Equal("y.txt\n", File.ReadAllText(Path.Combine(files, "sub-list")));
        Assert.True(File.Exists(Path.Combine(context, "sub/y.txt")));
    }

    [Fact]
    public async Task A_bind_of_an_excluded_path_says_dockerignore_excluded_it()
    {
        var context = fixture.Context(("drop.txt", "secret\n"), (".dockerignore", "drop.txt\n"));

        var error = await Assert.ThrowsAsync<BuildException>(() => fixture.BuildAsync("""
            FROM busybox
            RUN --mount=type=bind,source=drop.txt,target=/x cat /x
            """, context));

        Assert.Contains("drop.txt", error.Message);
        Assert.Contains(".dockerignore", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task A_new_cache_mount_starts_from_the_stage_directory_and_then_keeps_its_own_changes()
    {
        var id = "seeded-" + Guid.NewGuid().ToString("N")[..8];
        var files = await fixture.FilesAsync(fixture.Request($"""
            FROM busybox AS seed
            RUN mkdir -p /data/deep && echo seeded > /data/deep/f && chown 1000:2000 /data/deep/f
            FROM busybox
            RUN --mount=type=cache,id={id},target=/c,from=seed,source=/data (cat /c/deep/f; stat -c '%u:%g' /c/deep/f) > /first && echo more > /c/g
            RUN --mount=type=cache,id={id},target=/c,from=seed,source=/data cat /c/deep/f /c/g > /second
            """));

        Assert.Equal("seeded\n1000:2000\n", File.ReadAllText(Path.Combine(files, "first")));
        Assert.Equal("seeded\nmore\n", File.ReadAllText(Path.Combine(files, "second")));
        Assert.False(Directory.Exists(Path.Combine(files, "c/deep")));
    }
}
