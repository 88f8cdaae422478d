using System.Diagnostics;
using Ashlar.Images.Content;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Store;

/// <summary>Leases across processes: held while the holder lives, dead (and collectable) once it is gone, even by SIGKILL.</summary>
public class StoreLeaseTests
{
    [Fact]
    public async Task A_held_lease_is_live_with_what_it_holds_and_gone_when_disposed()
    {
        using var dir = new TempDirectory();
        var blob = Digest.Sha256("x"u8);
        using (var lease = StoreLease.Acquire(dir.Path, "build-abc"))
        {
            lease.HoldBlob(blob);
            Assert.Equal(7, await lease.GuardAsync(() =>
            {
                lease.HoldSnapshot("sha256:chain");
                return Task.FromResult(7);
            }));
            var live = StoreLease.ReadAll(dir.Path, removeDead: true);
            Assert.True(live.IsLive("build-abc"));
            Assert.Contains(blob, live.Blobs);
            Assert.Contains("sha256:chain", live.Snapshots);
            Assert.Contains(Environment.ProcessId, live.ProcessIds);
            Assert.NotNull(live.OldestStart);
            Assert.Throws<InvalidOperationException>(() => StoreLease.Acquire(dir.Path, "build-abc"));
        }
        Assert.False(StoreLease.ReadAll(dir.Path).IsLive("build-abc"));
        Assert.Empty(Directory.GetFiles(Path.Combine(dir.Path, StoreLease.DirectoryName)));
    }

    [Fact]
    public async Task The_lease_of_a_killed_process_is_dead_and_its_id_can_be_taken_again()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, StoreLease.DirectoryName, "run-1");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // flock(1) (util-linux) holds an exclusive flock on the file while the sleep runs, as a lease holder does. -o: the
        // sleep does not inherit the lock, so killing flock alone frees it (a tree kill can miss a child it races with).
        using var holder = Process.Start(new ProcessStartInfo("/usr/bin/flock", ["-o", "-x", path, "/bin/busybox", "sleep", "60"]))!;
        for (var i = 0; i < 100 && !StoreLease.ReadAll(dir.Path).IsLive("run-1"); i++) await Task.Delay(50);
        Assert.True(StoreLease.ReadAll(dir.Path).IsLive("run-1"));
        Assert.Throws<InvalidOperationException>(() => StoreLease.Acquire(dir.Path, "run-1"));

        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();
        Assert.False(StoreLease.ReadAll(dir.Path).IsLive("run-1"));
        Assert.True(File.Exists(path)); // a leftover until collected
        StoreLease.ReadAll(dir.Path, removeDead: true);
        Assert.False(File.Exists(path));
        using var again = StoreLease.Acquire(dir.Path, "run-1");
        Assert.True(StoreLease.ReadAll(dir.Path).IsLive("run-1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData(".hidden")]
    public void Bad_ids_are_refused(string id)
    {
        using var dir = new TempDirectory();
        Assert.Throws<ArgumentException>(() => StoreLease.Acquire(dir.Path, id));
    }
}
