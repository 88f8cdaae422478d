using Ashlar.Builder.Tests.Cache;
using Ashlar.Builder.Tests.FileOps.Support;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

/// <summary>
/// Builds where COPY --from hard-links the source stage's committed files: the same layers as copies give, and the
/// source stage's files never change through a later step that changes the copies.
/// </summary>
public sealed class CopyFromSnapshotLinkTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task Copy_from_a_stage_links_its_files_and_makes_the_layer_a_copy_from_the_context_makes()
    {
        var marker = CacheOutcome.Unique();
        var context = fixture.Context(("files/a.txt", "a " + marker), ("files/sub/b.sh", "echo b"), ("files/empty", ""));
        File.SetUnixFileMode(Path.Combine(context, "files/sub/b.sh"), (UnixFileMode)Convert.ToInt32("755", 8));

        var fromStage = await fixture.BuildAsync($"""
            FROM busybox AS src
            COPY files/ /files-{marker}/
            FROM busybox
            COPY --from=src /files-{marker} /copied-{marker}
            """, context);
        var fromContext = await fixture.BuildAsync($"""
            FROM busybox
            COPY files/ /copied-{marker}/
            """, context);

        Assert.Equal(fromContext.Image.Config.RootFs.DiffIds[^1], fromStage.Image.Config.RootFs.DiffIds[^1]);
        // One inode in the stage's snapshot and in the copy's.
        var source = Assert.Single(SnapshotPaths($"files-{marker}/a.txt"));
        Assert.Contains(SnapshotPaths($"copied-{marker}/a.txt"), p => FileOpsSandbox.StatPath(p).Inode == FileOpsSandbox.StatPath(source).Inode);
    }

    [Fact]
    public async Task Later_steps_that_change_the_copies_leave_the_source_stage_as_it_was()
    {
        var marker = CacheOutcome.Unique();
        var context = fixture.Context(("files/a.txt", "a " + marker), ("files/b.txt", "b"));
        var files = await fixture.FilesAsync(fixture.Request($"""
            FROM busybox AS src
            COPY files/ /files/
            FROM busybox AS changer
            COPY --from=src /files /files
            RUN echo more >> /files/a.txt && chmod 600 /files/b.txt && chown 5:5 /files/b.txt && touch -d '2000-01-01 00:00:00' /files/a.txt
            FROM busybox AS chmodder
            COPY --from=src --chmod=700 --chown=1:1 /files /files
            FROM busybox
            COPY --from=changer /files/a.txt /changed-a
            COPY --from=chmodder /files/b.txt /chmod-b
            COPY --from=src /files /files
            RUN stat -c '%a %u:%g %Y' /files/a.txt /files/b.txt > /stat && stat -c '%a %u:%g' /chmod-b >> /stat && cat /files/a.txt > /a
            """, context));

        Assert.Equal("a " + marker, File.ReadAllText(Path.Combine(files, "a")));
        Assert.Equal("a " + marker + "more\n", File.ReadAllText(Path.Combine(files, "changed-a")));
        var mtime = new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(context, "files/a.txt"))).ToUnixTimeSeconds();
        var mtimeB = new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Combine(context, "files/b.txt"))).ToUnixTimeSeconds();
        Assert.Equal($"644 0:0 {mtime}\n644 0:0 {mtimeB}\n700 1:1\n", File.ReadAllText(Path.Combine(files, "stat")));
    }

    private IEnumerable<string> SnapshotPaths(string relative) =>
        Directory.EnumerateDirectories(Path.Combine(fixture.StoreRoot, "snapshots"))
            .Select(d => Path.Combine(d, "fs", relative)).Where(File.Exists);
}
