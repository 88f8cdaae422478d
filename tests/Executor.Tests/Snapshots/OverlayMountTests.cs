using Ashlar.Executor.Containers;
using Ashlar.Executor.Native;
using Ashlar.Executor.Snapshots;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Snapshots;

/// <summary>Deep layer chains as real overlay mounts: the new mount API, the legacy fallback, and flattening.</summary>
[Collection(ContainerCollection.Name)]
public sealed class OverlayMountTests(ContainerFixture fixture)
{
    /// <summary>Commits <paramref name="count"/> layers on top of the busybox base; layer i writes /layers/i and /layers/top.</summary>
    private static string Chain(Snapshotter snapshots, string parent, int count, string tag)
    {
        for (var i = 0; i < count; i++)
        {
            var key = $"{tag}-{i}-extract";
            var upper = snapshots.Prepare(key, parent)[0].UpperDirectory!;
            Directory.CreateDirectory(Path.Combine(upper, "layers"));
            File.WriteAllText(Path.Combine(upper, "layers", i.ToString()), $"{i}\n");
            File.WriteAllText(Path.Combine(upper, "layers", "top"), $"{i}\n");
            parent = $"{tag}-{i}";
            snapshots.Commit(parent, key);
        }
        return parent;
    }

    [Fact]
    public async Task A_chain_longer_than_a_page_of_paths_mounts_with_lowerdir_plus()
    {
        var top = Chain(fixture.Snapshots, "base", 150, "deep-" + Guid.NewGuid().ToString("N")[..6]);

        var run = await fixture.RunAsync("cat /layers/top /layers/0 /layers/149; ls /layers | wc -l", parent: top);

        Assert.Equal(["149", "0", "149", "151"], run.Stdout.Select(l => l.Trim()));
    }

    [Fact]
    public async Task The_legacy_mount_with_relative_paths_sees_the_same_tree()
    {
        var top = Chain(fixture.Snapshots, "base", 3, "legacy-" + Guid.NewGuid().ToString("N")[..6]);
        Environment.SetEnvironmentVariable("ASHLAR_OVERLAY_MOUNT", "legacy");
        try
        {
            var run = await fixture.RunAsync("cat /layers/top; rm /data/keep.txt; grep ' / ' /proc/self/mountinfo", parent: top);

            Assert.Equal("2", run.Stdout[0]);
            Assert.Contains("lowerdir=", run.Output); // mount(2) shows the option string; fsconfig shows it too, but relative paths only here
            Assert.DoesNotContain(fixture.Root, run.Stdout[1].Split("lowerdir=")[1].Split(',')[0]);
        }
        finally { Environment.SetEnvironmentVariable("ASHLAR_OVERLAY_MOUNT", null); }
    }

    [Fact]
    public async Task Chains_beyond_the_lower_limit_are_flattened_with_whiteouts_applied()
    {
        var snapshots = new Snapshotter(Path.Combine(fixture.Root, "snapshots"), maxLowers: 3);
        var tag = "flat-" + Guid.NewGuid().ToString("N")[..6];
        var top = Chain(snapshots, "base", 4, tag);
        // One more layer that deletes a base file (a whiteout) and replaces /data/dir (opaque).
        var upper = snapshots.Prepare(tag + "-wh", top)[0].UpperDirectory!;
        Directory.CreateDirectory(Path.Combine(upper, "data", "dir"));
        Assert.Equal(0, Posix.MakeNode(Path.Combine(upper, "data", "gone.txt"), LibC.S_IFCHR, 0)); // overlay's whiteout
        Posix.SetXattr(Path.Combine(upper, "data", "dir"), "trusted.overlay.opaque", "y"u8);
        File.WriteAllText(Path.Combine(upper, "data", "dir", "new.txt"), "new\n");
        snapshots.Commit(tag + "-wh-done", tag + "-wh");
        // Put it below two more layers so the whiteout layer itself is merged into the flattened bottom.
        var final = Chain(snapshots, tag + "-wh-done", 2, tag + "-after");

        var mount = Assert.Single(snapshots.Prepare(tag + "-step", final));
        Assert.Equal(3, mount.LowerDirectories.Count);
        var run = await RunOn(mount, "cat /layers/top; ls /data/dir; test -e /data/gone.txt || echo gone; cat /data/keep.txt; ls /layers | wc -l");

        Assert.Equal(["1", "new.txt", "gone", "keep", "5"], run.Select(l => l.Trim()));
        Assert.Contains(snapshots.Walk(), s => s.Name.StartsWith("flattened:"));
    }

    private static async Task<List<string>> RunOn(Mount mount, string script)
    {
        var lines = new List<string>();
        var result = await Container.RunAsync(new ContainerSpec { Rootfs = [mount], Args = ["/bin/sh", "-c", script], StandardOutput = lines.Add });
        Assert.Equal(0, result.ExitCode);
        return lines;
    }
}
