using Ashlar.Executor.Snapshots;

namespace Ashlar.Executor.Tests.Snapshots;

/// <summary>The prepare / commit / view / remove / walk contract, on directories only.</summary>
public sealed class SnapshotterTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("ashlar-snapshots-").FullName;

    [Fact]
    public void Prepare_gives_an_overlay_over_the_parent_chain_topmost_first()
    {
        var snapshots = new Snapshotter(_root);
        snapshots.Prepare("a-extract", null);
        var a = snapshots.Commit("a", "a-extract");
        snapshots.Prepare("b-extract", "a");
        var b = snapshots.Commit("b", "b-extract");

        var mount = Assert.Single(snapshots.Prepare("step", "b"));

        Assert.Equal("overlay", mount.Type);
        Assert.Equal([b.Directory, a.Directory], mount.LowerDirectories);
        Assert.NotNull(mount.UpperDirectory);
        Assert.NotNull(mount.WorkDirectory);
        Assert.False(mount.IsReadOnly);
        Assert.Equal(SnapshotKind.Active, snapshots.Stat("step")!.Kind);
    }

    [Fact]
    public void A_commit_killed_before_dropping_the_active_name_is_finished_by_the_leftover_collection()
    {
        var snapshots = new Snapshotter(_root);
        snapshots.Prepare("build:dead:active:1", null);
        snapshots.Prepare("build:live:active:1", null);
        var committed = snapshots.Commit("sha256:chain", "build:dead:active:1");
        // What the kill left: the active key's link still points at the snapshot now committed under the chain ID.
        var stale = Path.Combine(_root, "names", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("build:dead:active:1"u8)));
        File.CreateSymbolicLink(stale, Path.Combine("..", Path.GetFileName(Path.GetDirectoryName(committed.Directory)!)));
        Assert.NotNull(snapshots.Stat("build:dead:active:1"));

        Assert.Equal(1, snapshots.RemoveInterruptedCommitLinks(StoredSnapshot.List(_root)));

        Assert.Null(snapshots.Stat("build:dead:active:1"));
        Assert.Equal(SnapshotKind.Committed, snapshots.Stat("sha256:chain")!.Kind);
        Assert.Equal(SnapshotKind.Active, snapshots.Stat("build:live:active:1")!.Kind); // a consistent link stays
        Assert.Equal(0, snapshots.RemoveInterruptedCommitLinks(StoredSnapshot.List(_root)));
    }

    [Fact]
    public async Task On_ext4_the_snapshot_root_spreads_new_snapshots_across_block_groups()
    {
        _ = new Snapshotter(_root);
        // lsattr -d prints "-------------T-e------- path" where the filesystem keeps inode flags (ext2/3/4, as here).
        var lsattr = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("lsattr", ["-d", _root])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await lsattr.StandardOutput.ReadToEndAsync();
        await lsattr.WaitForExitAsync();
        var fsType = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' '))
            .Where(f => _root.StartsWith(f[1].TrimEnd('/') + "/", StringComparison.Ordinal)).MaxBy(f => f[1].Length)?[2];
        if (fsType is not ("ext4" or "ext3" or "ext2")) return; // other filesystems have no such placement
        Assert.Equal(0, lsattr.ExitCode);
        Assert.Contains('T', output.Split(' ')[0]);
    }

    [Fact]
    public void A_view_is_read_only_and_a_single_layer_view_is_a_bind()
    {
        var snapshots = new Snapshotter(_root);
        snapshots.Prepare("a-extract", null);
        var a = snapshots.Commit("a", "a-extract");

        var mount = Assert.Single(snapshots.View("look", "a"));

        Assert.Equal("bind", mount.Type);
        Assert.Equal(a.Directory, mount.Source);
        Assert.True(mount.IsReadOnly);
        Assert.Equal(SnapshotKind.View, snapshots.Stat("look")!.Kind);
    }

    [Fact]
    public void Commit_renames_the_active_snapshot_and_keeps_its_files()
    {
        var snapshots = new Snapshotter(_root);
        var upper = snapshots.Prepare("work", null)[0].UpperDirectory!;
        File.WriteAllText(Path.Combine(upper, "f"), "x");

        var committed = snapshots.Commit("sha256:chain", "work");

        Assert.Null(snapshots.Stat("work"));
        Assert.Equal(SnapshotKind.Committed, snapshots.Stat("sha256:chain")!.Kind);
        Assert.Equal("x", File.ReadAllText(Path.Combine(committed.Directory, "f")));
        Assert.Throws<InvalidOperationException>(() => snapshots.Mounts("sha256:chain"));
    }

    [Fact]
    public void Names_are_unique_and_parents_must_be_committed()
    {
        var snapshots = new Snapshotter(_root);
        snapshots.Prepare("a", null);

        Assert.Throws<SnapshotExistsException>(() => snapshots.Prepare("a", null));
        Assert.Throws<InvalidOperationException>(() => snapshots.Prepare("b", "a"));
        Assert.Throws<SnapshotNotFoundException>(() => snapshots.Prepare("c", "missing"));
        snapshots.Commit("a1", "a");
        snapshots.Prepare("d", null);
        Assert.Throws<SnapshotExistsException>(() => snapshots.Commit("a1", "d"));
    }

    [Fact]
    public void Remove_refuses_a_parent_and_deletes_the_files()
    {
        var snapshots = new Snapshotter(_root);
        snapshots.Prepare("a-extract", null);
        var a = snapshots.Commit("a", "a-extract");
        snapshots.Prepare("child", "a");

        Assert.Throws<InvalidOperationException>(() => snapshots.Remove("a"));
        snapshots.Remove("child");
        snapshots.Remove("a");

        Assert.False(Directory.Exists(a.Directory));
        Assert.Empty(snapshots.Walk());
        Assert.Throws<SnapshotNotFoundException>(() => snapshots.Remove("a"));
    }

    [Fact]
    public void Walk_lists_every_snapshot_and_a_reopened_store_sees_them()
    {
        var snapshots = new Snapshotter(_root);
        snapshots.Prepare("a-extract", null);
        snapshots.Commit("a", "a-extract");
        snapshots.Prepare("b", "a");

        var reopened = new Snapshotter(_root);

        Assert.Equal(["a", "b"], reopened.Walk().Select(s => s.Name).Order());
        Assert.Equal("a", reopened.Stat("b")!.Parent);
    }

    public void Dispose() => Snapshotter.DeleteTree(_root);
}
