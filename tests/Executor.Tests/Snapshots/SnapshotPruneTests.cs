using System.Formats.Tar;
using Ashlar.Executor.Snapshots;
using Ashlar.Executor.Tests.Support;
using Ashlar.Images.Archives;
using Ashlar.Images.References;
using Ashlar.Images.Store;

namespace Ashlar.Executor.Tests.Snapshots;

/// <summary><c>ashlar prune</c>'s snapshot part, on a real store: images imported, unpacked, removed, pruned.</summary>
public sealed class SnapshotPruneTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ashlar-prune-").FullName;

    private (ImageStore Store, Snapshotter Snapshots) Open()
    {
        var store = ImageStore.Open(_root);
        return (store, ImageSnapshots.Open(store));
    }

    /// <summary>Imports the busybox rootfs (plus <paramref name="marker"/>, to tell images apart) and unpacks it; returns its top chain ID.</summary>
    private static async Task<string> ImportAndUnpackAsync(ImageStore store, Snapshotter snapshots, string name, string marker)
    {
        var rootfs = Directory.CreateTempSubdirectory("ashlar-prune-rootfs-").FullName;
        try
        {
            BusyboxRootfs.Write(rootfs);
            File.WriteAllText(Path.Combine(rootfs, "etc", "marker"), marker);
            var tar = new MemoryStream();
            await TarFile.CreateFromDirectoryAsync(rootfs, tar, includeBaseDirectory: false);
            tar.Position = 0;
            var image = await RootfsImporter.ImportAsync(store, tar, ImageReference.Parse(name));
            return (await ImageSnapshots.UnpackAsync(snapshots, store, image))!;
        }
        finally { Directory.Delete(rootfs, recursive: true); }
    }

    [Fact]
    public async Task The_snapshots_of_a_removed_image_are_pruned_and_their_space_reported()
    {
        var (store, snapshots) = Open();
        var top = await ImportAndUnpackAsync(store, snapshots, "prune-gone:1", "gone");
        var directory = Path.GetDirectoryName(snapshots.Stat(top)!.Directory)!;
        Assert.True(File.Exists(Path.Combine(directory, "fs", "bin", "busybox")));
        await store.RemoveAsync("prune-gone:1");

        await store.PruneAsync(); // the blobs first, so what the second prune reclaims is the snapshots' alone
        var pruner = new SnapshotPruner(snapshots);
        var result = await store.PruneAsync(participants: [pruner]);

        Assert.Null(snapshots.Stat(top));
        Assert.False(Directory.Exists(directory));
        Assert.Equal([top], pruner.Removed);
        Assert.Empty(result.DeletedBlobs);
        Assert.InRange(result.ReclaimedBytes, new FileInfo("/bin/busybox").Length, new FileInfo("/bin/busybox").Length + 64 * 1024);
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.GetDirectoryName(directory)!), d => Path.GetFileName(d).StartsWith("removing-"));
    }

    [Fact]
    public async Task A_tagged_image_keeps_its_snapshots_while_a_removed_one_loses_them()
    {
        var (store, snapshots) = Open();
        var kept = await ImportAndUnpackAsync(store, snapshots, "prune-kept:1", "kept");
        var gone = await ImportAndUnpackAsync(store, snapshots, "prune-gone:1", "gone");
        Assert.NotEqual(kept, gone);
        await store.RemoveAsync("prune-gone:1");

        await store.PruneAsync(participants: [new SnapshotPruner(snapshots)]);

        Assert.Equal(SnapshotKind.Committed, snapshots.Stat(kept)?.Kind);
        Assert.True(File.Exists(Path.Combine(snapshots.Stat(kept)!.Directory, "etc", "marker")));
        Assert.Null(snapshots.Stat(gone));
    }

    [Fact]
    public async Task Active_snapshots_views_and_build_steps_keep_what_they_stand_on()
    {
        var (store, snapshots) = Open();
        var running = await ImportAndUnpackAsync(store, snapshots, "prune-run:1", "run");
        var viewed = await ImportAndUnpackAsync(store, snapshots, "prune-view:1", "view");
        var built = await ImportAndUnpackAsync(store, snapshots, "prune-build:1", "build");
        snapshots.Prepare("run-container", running);
        snapshots.View("view-1", viewed);
        snapshots.Prepare("build:abc:step-extract", built);
        snapshots.Commit("build:abc:step:1", "build:abc:step-extract");
        snapshots.Prepare("orphan-extract", null);
        snapshots.Commit("orphan", "orphan-extract");
        foreach (var name in new[] { "prune-run:1", "prune-view:1", "prune-build:1" }) await store.RemoveAsync(name);

        var pruner = new SnapshotPruner(snapshots);
        await store.PruneAsync(participants: [pruner]);

        Assert.Equal(["orphan"], pruner.Removed);
        foreach (var name in new[] { running, "run-container", viewed, "view-1", built, "build:abc:step:1" })
            Assert.NotNull(snapshots.Stat(name));
        // The kept chain still mounts.
        Assert.Equal(snapshots.Stat(running)!.Directory, Assert.Single(snapshots.Mounts("run-container")).LowerDirectories[0]);
    }

    public void Dispose() => Snapshotter.DeleteTree(_root);
}
