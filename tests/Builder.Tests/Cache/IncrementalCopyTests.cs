using Ashlar.Builder.Tests.FileOps.Support;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>
/// A COPY from the context that misses because some files changed takes the unchanged ones from its earlier result
/// by hard link: the layer is the one a copy of everything makes.
/// </summary>
public sealed class IncrementalCopyTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task A_one_file_change_links_the_other_files_and_gives_the_layer_a_full_copy_gives()
    {
        var marker = CacheOutcome.Unique();
        var files = Enumerable.Range(0, 20).Select(i => ($"src/d{i % 3}/f{i}.txt", $"file {i} {marker}")).ToArray();
        var context = fixture.Context([.. files, ("src/run.sh", "echo run")]);
        File.SetUnixFileMode(Path.Combine(context, "src/run.sh"), (UnixFileMode)Convert.ToInt32("755", 8));
        var dockerfile = $"""
            FROM busybox
            COPY src/ /src-{marker}/
            RUN cat /src-{marker}/d1/f1.txt > /seen
            """;
        var first = await fixture.BuildAsync(dockerfile, context);

        File.WriteAllText(Path.Combine(context, "src/d1/f1.txt"), "changed " + marker);
        File.WriteAllText(Path.Combine(context, "src/new.txt"), "new");
        var incremental = await fixture.BuildAsync(dockerfile, context);
        var full = await fixture.BuildAsync(fixture.Request(dockerfile, context) with { NoCache = true });

        Assert.Equal("RR", incremental.Pattern());
        Assert.NotEqual(first.Image.Config.RootFs.DiffIds[1], incremental.Image.Config.RootFs.DiffIds[1]);
        Assert.Equal(full.Image.Config.RootFs.DiffIds[1], incremental.Image.Config.RootFs.DiffIds[1]);
        // The unchanged file is one inode in both results; the changed one is not.
        Assert.Contains(SnapshotPaths($"src-{marker}/d0/f0.txt").GroupBy(p => FileOpsSandbox.StatPath(p).Inode), g => g.Count() >= 2);
        Assert.All(SnapshotPaths($"src-{marker}/d1/f1.txt").GroupBy(p => FileOpsSandbox.StatPath(p).Inode), g => Assert.Single(g));
        var seen = await fixture.FilesAsync(fixture.Request(dockerfile, context));
        Assert.Equal("changed " + marker, File.ReadAllText(Path.Combine(seen, "seen")));
    }

    private IEnumerable<string> SnapshotPaths(string relative) =>
        Directory.EnumerateDirectories(Path.Combine(fixture.StoreRoot, "snapshots"))
            .Select(d => Path.Combine(d, "fs", relative)).Where(File.Exists);
}
