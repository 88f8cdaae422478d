using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Ashlar.Executor.Containers;
using Ashlar.Executor.Native;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Diff;

/// <summary>A step's upper dir becomes an OCI layer: whiteouts, opaque dirs, hard links, xattrs, no stubs.</summary>
[Collection(ContainerCollection.Name)]
public sealed class LayerDiffTests(ContainerFixture fixture)
{
    [Fact]
    public async Task Removing_a_lower_file_gives_a_whiteout_entry()
    {
        var run = await fixture.RunAsync("rm /data/gone.txt");

        var (_, entries, _) = await LayerEntries.ReadAsync(run.Mount.UpperDirectory!);

        var whiteout = Assert.Single(entries, e => e.Name == "data/.wh.gone.txt");
        Assert.Equal(TarEntryType.RegularFile, whiteout.EntryType);
        Assert.DoesNotContain(entries, e => e.Name == "data/gone.txt");
    }

    [Fact]
    public async Task Replacing_a_directory_gives_an_opaque_directory()
    {
        var run = await fixture.RunAsync("rm -rf /data/dir && mkdir /data/dir && echo b > /data/dir/b.txt");

        var (_, entries, _) = await LayerEntries.ReadAsync(run.Mount.UpperDirectory!);

        var names = entries.Select(e => e.Name).ToList();
        Assert.Equal(["data/", "data/dir/", "data/dir/.wh..wh..opq", "data/dir/b.txt"], names);
    }

    [Fact]
    public async Task Hard_links_stay_links_and_only_overlay_xattrs_are_dropped()
    {
        var run = await fixture.RunAsync("echo x > /data/h1 && ln /data/h1 /data/h2");
        Assert.Equal(0, Posix.SetXattr(run.Mount.UpperDirectory + "/data/h1", "user.ashlar", "kept"u8));

        var (_, entries, _) = await LayerEntries.ReadAsync(run.Mount.UpperDirectory!);

        var link = Assert.Single(entries, e => e.Name == "data/h2");
        Assert.Equal(TarEntryType.HardLink, link.EntryType);
        Assert.Equal("data/h1", link.LinkName);
        var file = Assert.IsType<PaxTarEntry>(Assert.Single(entries, e => e.Name == "data/h1"));
        Assert.Equal("kept", file.ExtendedAttributes["SCHILY.xattr.user.ashlar"]);
        // /data was copied up: overlay marks it (trusted.overlay.*), the layer must not carry that.
        Assert.DoesNotContain(entries.OfType<PaxTarEntry>(), e => e.ExtendedAttributes.Keys.Any(k => k.Contains("trusted.overlay")));
    }

    [Fact]
    public async Task Mount_point_stubs_never_reach_the_layer()
    {
        // The base image has no /etc/hosts, /etc/resolv.conf, /etc/hostname nor /mnt: all are created to mount on.
        var cache = Directory.CreateTempSubdirectory("ashlar-cache-").FullName;
        var run = await fixture.RunAsync("test -f /etc/hosts && test -d /mnt/cache/deep && echo mounted",
            configure: s => s with { Mounts = [ContainerMount.Bind(cache, "/mnt/cache/deep"), ContainerMount.Tmpfs("/scratch")] });

        Assert.Equal(["mounted"], run.Stdout);
        var (result, entries, _) = await LayerEntries.ReadAsync(run.Mount.UpperDirectory!);
        Assert.Empty(entries);
        // docker's empty layer: two zero blocks.
        Assert.Equal("sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef", result.DiffId.ToString());
        Directory.Delete(cache);
    }

    [Fact]
    public async Task A_change_in_etc_copies_up_the_images_etc_and_no_mount_point_stub()
    {
        // The mount points the base lacks come from a shared stub layer, not the upper dir: writing into /etc copies up
        // the image's own /etc (mode, owner, mtime), and the stubs under the generated files stay out of the layer.
        var baseEtc = Path.Combine(fixture.Snapshots.Stat("base")!.Directory, "etc");
        File.SetUnixFileMode(baseEtc, (UnixFileMode)Convert.ToInt32("750", 8));
        File.SetLastWriteTimeUtc(baseEtc, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        try
        {
            // Appending to a file copies its directory up without touching the directory's mtime.
            var run = await fixture.RunAsync("echo extra:x:1:1::/:/bin/sh >> /etc/passwd && test -s /etc/hosts && stat -c %a /etc");
            Assert.Equal(["750"], run.Stdout);
            var (_, entries, _) = await LayerEntries.ReadAsync(run.Mount.UpperDirectory!);
            Assert.Equal(["etc/", "etc/passwd"], entries.Select(e => e.Name).ToArray());
            Assert.Equal((UnixFileMode)Convert.ToInt32("750", 8), entries[0].Mode);
            Assert.Equal(new DateTimeOffset(2001, 2, 3, 4, 5, 6, TimeSpan.Zero), entries[0].ModificationTime);
        }
        finally
        {
            File.SetUnixFileMode(baseEtc, (UnixFileMode)Convert.ToInt32("755", 8));
        }
    }

    [Fact]
    public async Task The_layer_is_deterministic_and_its_digests_are_right()
    {
        var run = await fixture.RunAsync("mkdir -p /app/b /app/a && echo one > /app/b/1 && echo two > /app/a/2 && ln -s ../b/1 /app/a/link");

        var first = await LayerEntries.ReadAsync(run.Mount.UpperDirectory!);
        var second = await LayerEntries.ReadAsync(run.Mount.UpperDirectory!);

        Assert.Equal(first.Gzip, second.Gzip);
        Assert.Equal(["app/", "app/a/", "app/a/2", "app/a/link", "app/b/", "app/b/1"], first.Entries.Select(e => e.Name));
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(first.Gzip)), first.Result.CompressedDigest.ToString());
        using var tar = new MemoryStream();
        await new GZipStream(new MemoryStream(first.Gzip), CompressionMode.Decompress).CopyToAsync(tar);
        Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(tar.ToArray())), first.Result.DiffId.ToString());
        Assert.Equal(first.Gzip.Length, first.Result.Size);
    }

    [Fact]
    public async Task A_committed_step_is_the_next_steps_lower_layer()
    {
        var first = await fixture.RunAsync("echo hello > /data/new.txt && rm /data/keep.txt");
        var name = "committed-" + Guid.NewGuid().ToString("N");
        fixture.Snapshots.Commit(name, first.Key);

        var second = await fixture.RunAsync("cat /data/new.txt; test -e /data/keep.txt || echo keep-gone", parent: name);

        Assert.Equal(["hello", "keep-gone"], second.Stdout);
    }
}
