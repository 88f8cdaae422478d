using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps;
using Ashlar.Builder.Tests.FileOps.Support;
using Ashlar.Cache.Records;
using Ashlar.Executor.Diff;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Tests.FileOps;

/// <summary>
/// A copy whose source is a committed snapshot hard-links the files whose metadata is already what the copy writes:
/// the layer it makes is byte for byte the one a copying copy makes, and the shared inodes are never changed.
/// </summary>
public sealed class CopyByHardLinkTests : IDisposable
{
    private readonly FileOpsSandbox _sandbox = new();

    private string Committed => Path.Combine(_sandbox.Directory, "committed");

    public void Dispose() => _sandbox.Dispose();

    // A stage's files: modes, an owner of its own, a setuid file, an empty file, a hard-link pair, a symlink.
    private void WriteCommittedTree()
    {
        _sandbox.Write("app/main.sh", "#!/bin/sh\necho hi\n", 0x1ed, under: Committed);
        _sandbox.Write("app/lib/util.txt", "util", under: Committed);
        _sandbox.Write("app/lib/empty", "", under: Committed);
        _sandbox.Write("app/tool", "setuid", 0x9ed /* 4755 */, under: Committed);
        var owned = _sandbox.Write("app/owned.txt", "owned", under: Committed);
        Assert.Equal(0, LibC.FchownAt(LibC.AT_FDCWD, owned, 1000, 1001, LibC.AT_SYMLINK_NOFOLLOW));
        File.SetLastWriteTimeUtc(owned, FileOpsSandbox.OldTime.UtcDateTime);
        _sandbox.Write("app/pair-a", "pair", under: Committed);
        Assert.Equal(0, LibC.LinkAt(LibC.AT_FDCWD, Path.Combine(Committed, "app/pair-a"), LibC.AT_FDCWD, Path.Combine(Committed, "app/pair-b"), 0));
        _sandbox.Symlink("app/link", "lib/util.txt", under: Committed);
    }

    private async Task<long> CopyAsync(CopySpec spec, SourceTree tree, string layer, LinkOrigin? origin)
    {
        await using var plan = await CopyOperation.PrepareAsync(spec, tree, null);
        plan.LinkOrigin = origin;
        await plan.ApplyToLayerAsync(layer);
        return plan.SharedFiles;
    }

    private static async Task<byte[]> TarAsync(string directory)
    {
        using var tar = new MemoryStream();
        await LayerDiff.WriteTarAsync(directory, tar);
        return tar.ToArray();
    }

    private string Layer(string name) => Directory.CreateDirectory(Path.Combine(_sandbox.Directory, name)).FullName;

    [Fact]
    public async Task Copy_from_a_committed_tree_links_its_files_and_makes_the_layer_a_copy_makes()
    {
        WriteCommittedTree();
        var tree = SourceTree.FromDirectory(Committed, "stage \"src\"");
        var spec = FileOpsSandbox.Copy("/opt/", "app");
        var linked = Layer("linked");
        var copied = Layer("copied");

        var shared = await CopyAsync(spec, tree, linked, new SnapshotLinkOrigin([Committed]));
        Assert.Equal(0, await CopyAsync(spec, tree, copied, null));

        Assert.Equal(6, shared); // pair-b is linked to pair-a, as a copy keeps hard links
        Assert.Equal(await TarAsync(copied), await TarAsync(linked));
        foreach (var file in new[] { "main.sh", "lib/util.txt", "lib/empty", "tool", "owned.txt", "pair-a", "pair-b" })
        {
            Assert.Equal(FileOpsSandbox.StatPath(Path.Combine(Committed, "app", file)).Inode, FileOpsSandbox.StatPath(Path.Combine(linked, "opt", file)).Inode);
            Assert.NotEqual(FileOpsSandbox.StatPath(Path.Combine(Committed, "app", file)).Inode, FileOpsSandbox.StatPath(Path.Combine(copied, "opt", file)).Inode);
        }
        var owned = FileOpsSandbox.StatPath(Path.Combine(linked, "opt/owned.txt"));
        Assert.Equal((1000u, 1001u, "644"), (owned.Uid, owned.Gid, owned.Octal));
        Assert.Equal("symlink", FileOpsSandbox.StatPath(Path.Combine(linked, "opt/link")).Type);
    }

    [Fact]
    public async Task A_chmod_or_chown_copy_of_a_committed_tree_copies_and_leaves_the_tree_as_it_was()
    {
        WriteCommittedTree();
        var tree = SourceTree.FromDirectory(Committed, "stage \"src\"");
        var before = Directory.EnumerateFiles(Committed, "*", SearchOption.AllDirectories).Order().Select(FileOpsSandbox.StatPath).ToList();

        var chmod = Layer("chmod");
        var chown = Layer("chown");
        Assert.Equal(0, await CopyAsync(FileOpsSandbox.Copy("/opt/", "app") with { Chmod = "600" }, tree, chmod, new SnapshotLinkOrigin([Committed])));
        // --chown to the owner most files already have: those are linked, the one owned by 1000:1001 is copied.
        Assert.Equal(5, await CopyAsync(FileOpsSandbox.Copy("/opt/", "app") with { Chown = "0:0" }, tree, chown, new SnapshotLinkOrigin([Committed])));

        Assert.Equal("600", FileOpsSandbox.StatPath(Path.Combine(chmod, "opt/main.sh")).Octal);
        var owned = FileOpsSandbox.StatPath(Path.Combine(chown, "opt/owned.txt"));
        Assert.Equal((0u, 0u), (owned.Uid, owned.Gid));
        var after = Directory.EnumerateFiles(Committed, "*", SearchOption.AllDirectories).Order().Select(FileOpsSandbox.StatPath).ToList();
        Assert.Equal(before.Select(s => s with { LinkCount = 0 }), after.Select(s => s with { LinkCount = 0 }));
    }

    [Fact]
    public async Task A_file_whose_origin_has_xattrs_is_copied()
    {
        WriteCommittedTree();
        LibC.SetXattr(Path.Combine(Committed, "app/main.sh"), "user.note", "x"u8);
        var linked = Layer("linked");
        await CopyAsync(FileOpsSandbox.Copy("/opt/", "app"), SourceTree.FromDirectory(Committed, "stage \"src\""), linked, new SnapshotLinkOrigin([Committed]));

        Assert.NotEqual(FileOpsSandbox.StatPath(Path.Combine(Committed, "app/main.sh")).Inode, FileOpsSandbox.StatPath(Path.Combine(linked, "opt/main.sh")).Inode);
        Assert.Equal(FileOpsSandbox.StatPath(Path.Combine(Committed, "app/lib/util.txt")).Inode, FileOpsSandbox.StatPath(Path.Combine(linked, "opt/lib/util.txt")).Inode);
    }

    [Fact]
    public async Task An_origin_on_another_filesystem_is_copied()
    {
        // /dev/shm is a tmpfs: linkat says EXDEV and the copy writes the files.
        if (!Directory.Exists("/dev/shm")) return;
        var other = Directory.CreateDirectory(Path.Combine("/dev/shm", "ashlar-copylink-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        try
        {
            _sandbox.Write("app/a.txt", "a", under: other);
            var layer = Layer("layer");
            var shared = await CopyAsync(FileOpsSandbox.Copy("/opt/", "app"), SourceTree.FromDirectory(other, "stage \"src\""), layer, new SnapshotLinkOrigin([other]));

            Assert.Equal(0, shared);
            Assert.Equal("a", File.ReadAllText(Path.Combine(layer, "opt/a.txt")));
        }
        finally { Directory.Delete(other, recursive: true); }
    }

    [Fact]
    public async Task A_file_with_the_most_links_a_filesystem_allows_is_copied()
    {
        _sandbox.Write("app/a.txt", "a", under: Committed);
        _sandbox.Write("app/b.txt", "b", under: Committed);
        // ext4 allows 65,000 links to a file: fill them up (in a directory of their own, outside the source tree).
        var links = Directory.CreateDirectory(Path.Combine(_sandbox.Directory, "links")).FullName;
        var source = Path.Combine(Committed, "app/a.txt");
        var linksFd = LibC.Open(links, LibC.O_PATH | LibC.O_DIRECTORY, 0);
        int errno;
        try
        {
            for (var i = 0; ; i++)
            {
                if (LibC.LinkAt(LibC.AT_FDCWD, source, linksFd, i.ToString(), 0) != 0) { errno = LibC.LastError; break; }
                Assert.True(i < 1_000_000, "the filesystem has no link limit");
            }
        }
        finally { LibC.Close(linksFd); }
        Assert.Equal(31 /* EMLINK */, errno);

        var layer = Layer("layer");
        var shared = await CopyAsync(FileOpsSandbox.Copy("/opt/", "app"), SourceTree.FromDirectory(Committed, "stage \"src\""), layer, new SnapshotLinkOrigin([Committed]));

        Assert.Equal(1, shared); // b.txt
        Assert.Equal("a", File.ReadAllText(Path.Combine(layer, "opt/a.txt")));
        Assert.NotEqual(FileOpsSandbox.StatPath(source).Inode, FileOpsSandbox.StatPath(Path.Combine(layer, "opt/a.txt")).Inode);
    }

    [Fact]
    public async Task Incremental_copy_links_unchanged_files_of_the_earlier_result_and_makes_the_layer_a_full_copy_makes()
    {
        _sandbox.Write("src/same.txt", "same");
        _sandbox.Write("src/deep/same.sh", "#!/bin/sh\n", 0x1ed);
        _sandbox.Write("src/changed.txt", "before");
        _sandbox.Write("src/touched.txt", "touched");
        _sandbox.Write("src/pair-a", "pair");
        _sandbox.Write("src/pair-b", "pair");
        var spec = FileOpsSandbox.Copy("/app/", "src");
        var earlier = Layer("earlier");
        IReadOnlyList<SourceFile> recorded;
        await using (var plan = await CopyOperation.PrepareAsync(spec, await _sandbox.OpenContextAsync(), null))
        {
            recorded = await FilesOfAsync(plan);
            await plan.ApplyToLayerAsync(earlier);
        }
        // The earlier result had the pair as one inode: the new copy must not make them one.
        File.Delete(Path.Combine(earlier, "app/pair-b"));
        Assert.Equal(0, LibC.LinkAt(LibC.AT_FDCWD, Path.Combine(earlier, "app/pair-a"), LibC.AT_FDCWD, Path.Combine(earlier, "app/pair-b"), 0));

        _sandbox.Write("src/changed.txt", "after!");
        _sandbox.Write("src/touched.txt", "touched", mtime: FileOpsSandbox.OldTime.AddDays(1));
        _sandbox.Write("src/new.txt", "new");

        var incremental = Layer("incremental");
        var full = Layer("full");
        var shared = await CopyAsync(spec, await _sandbox.OpenContextAsync(), incremental, new PreviousResultLinkOrigin(earlier, recorded));
        await CopyAsync(spec, await _sandbox.OpenContextAsync(), full, null);

        Assert.Equal(3, shared); // same.txt, deep/same.sh and one of the pair
        Assert.Equal(await TarAsync(full), await TarAsync(incremental));
        Assert.Equal(FileOpsSandbox.StatPath(Path.Combine(earlier, "app/same.txt")).Inode, FileOpsSandbox.StatPath(Path.Combine(incremental, "app/same.txt")).Inode);
        Assert.NotEqual(FileOpsSandbox.StatPath(Path.Combine(incremental, "app/pair-a")).Inode, FileOpsSandbox.StatPath(Path.Combine(incremental, "app/pair-b")).Inode);
        Assert.Equal("after!", File.ReadAllText(Path.Combine(incremental, "app/changed.txt")));
        Assert.Equal("before", File.ReadAllText(Path.Combine(earlier, "app/changed.txt")));
    }

    private static async Task<IReadOnlyList<SourceFile>> FilesOfAsync(CopyPlan plan)
    {
        var entries = plan.Entries;
        var fingerprints = await plan.DescribeSourcesAsync();
        return fingerprints.Select((f, i) => new SourceFile(entries[i].SourcePath!, f.Type.ToString(), f.Mode, f.Owner, f.LinkTarget, f.Content?.ToString())).ToList();
    }
}
