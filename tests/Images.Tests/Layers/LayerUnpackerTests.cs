using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Layers;
using Ashlar.Images.Native;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Layers;

public class LayerUnpackerTests
{
    [Fact]
    public async Task Unpacks_every_entry_kind_with_its_metadata()
    {
        using var dir = new TempDirectory();
        var target = dir.Combine("root");
        var tar = new TarBuilder()
            .Directory("etc/", mode: 0x1ed)
            .File("etc/passwd", "root:x:0:0::/root:/bin/sh\n", uid: 0)
            .Directory("tmp/", mode: 0x3ff) // 1777
            .File("usr/bin/su", "setuid", mode: 0x9ed, uid: 0) // 4755, parent dirs implied
            .File("home/user/owned", "mine", uid: 1000, gid: 1001)
            .Symlink("etc/alias", "passwd")
            .HardLink("etc/passwd-link", "etc/passwd")
            .Special("dev/null", TarEntryType.CharacterDevice, 1, 3, mode: 0x1b6)
            .Special("dev/loop0", TarEntryType.BlockDevice, 7, 0)
            .Special("run/fifo", TarEntryType.Fifo)
            .File("xattr", "x", pax: new() { ["SCHILY.xattr.user.note"] = "hello" })
            .Build();

        var result = await LayerUnpacker.UnpackAsync(new MemoryStream(tar), target);

        Assert.Equal(Digest.Sha256(tar), result.DiffId);
        Assert.Equal(tar.Length, result.UncompressedSize);
        Assert.Equal("root:x:0:0::/root:/bin/sh\n", File.ReadAllText(Path.Combine(target, "etc/passwd")));
        Assert.Equal(0x3ff, FileStat.Of(Path.Combine(target, "tmp")).Mode & 0xfff);
        Assert.Equal(0x9ed, FileStat.Of(Path.Combine(target, "usr/bin/su")).Mode & 0xfff);
        var owned = FileStat.Of(Path.Combine(target, "home/user/owned"));
        Assert.Equal((1000u, 1001u), (owned.Uid, owned.Gid));
        Assert.Equal("passwd", new FileInfo(Path.Combine(target, "etc/alias")).LinkTarget);
        Assert.Equal(FileStat.Of(Path.Combine(target, "etc/passwd")).Inode, FileStat.Of(Path.Combine(target, "etc/passwd-link")).Inode);
        var devNull = FileStat.Of(Path.Combine(target, "dev/null"));
        Assert.Equal(LibC.S_IFCHR, devNull.Mode & LibC.S_IFMT);
        Assert.Equal((1u, 3u), (devNull.RdevMajor, devNull.RdevMinor));
        Assert.Equal(LibC.S_IFBLK, FileStat.Type(Path.Combine(target, "dev/loop0")));
        Assert.Equal(LibC.S_IFIFO, FileStat.Type(Path.Combine(target, "run/fifo")));
        Assert.Equal(TarBuilder.Time.ToUnixTimeSeconds(), FileStat.Of(Path.Combine(target, "etc/passwd")).ModifyTime.Seconds);
        Assert.Equal(TarBuilder.Time.ToUnixTimeSeconds(), FileStat.Of(Path.Combine(target, "etc")).ModifyTime.Seconds);
        var xattrs = LibC.ListXattrs(Path.Combine(target, "xattr"));
        Assert.Contains(xattrs, x => x.Key == "user.note" && Encoding.UTF8.GetString(x.Value) == "hello");
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("zstd")]
    public async Task Compressed_layers_are_detected_by_their_bytes(string codec)
    {
        using var dir = new TempDirectory();
        var tar = new TarBuilder().File("a", "compressed").Build();
        var compressed = new MemoryStream();
        await using (Stream c = codec == "gzip" ? new GZipStream(compressed, CompressionLevel.Fastest, true) : new ZstdSharp.CompressionStream(compressed, leaveOpen: true))
            await c.WriteAsync(tar);
        compressed.Position = 0;

        var result = await LayerUnpacker.UnpackAsync(compressed, dir.Path);

        Assert.Equal(Digest.Sha256(tar), result.DiffId);
        Assert.Equal("compressed", File.ReadAllText(dir.Combine("a")));
    }

    [Fact]
    public async Task Apply_mode_deletes_what_whiteouts_hide()
    {
        using var dir = new TempDirectory();
        var lower = new TarBuilder()
            .File("a/keep", "1").File("a/gone", "2").File("gone-dir/file", "3")
            .File("opaque/old1", "4").Directory("opaque/old-dir/").File("opaque/old-dir/f", "5")
            .Build();
        var upper = new TarBuilder()
            .File("a/.wh.gone", "").File(".wh.gone-dir", "")
            .File("opaque/new-before", "6") // same layer, before the marker: stays
            .File("opaque/.wh..wh..opq", "")
            .File("opaque/new-after", "7")
            .Build();

        await LayerUnpacker.UnpackAsync(new MemoryStream(lower), dir.Path);
        await LayerUnpacker.UnpackAsync(new MemoryStream(upper), dir.Path);

        Assert.Equal(["a", "a/keep", "opaque", "opaque/new-after", "opaque/new-before"], FileStat.Tree(dir.Path));
    }

    [Fact]
    public async Task Overlay_mode_writes_whiteouts_as_overlayfs_reads_them()
    {
        using var dir = new TempDirectory();
        var layer = new TarBuilder()
            .Directory("a/").File("a/.wh.gone", "")
            .Directory("opaque/").File("opaque/.wh..wh..opq", "").File("opaque/new", "n")
            .Build();

        await LayerUnpacker.UnpackAsync(new MemoryStream(layer), dir.Path, new UnpackOptions { Whiteouts = WhiteoutMode.Overlay });

        var whiteout = FileStat.Of(dir.Combine("a", "gone"));
        Assert.Equal(LibC.S_IFCHR, whiteout.Mode & LibC.S_IFMT);
        Assert.Equal((0u, 0u), (whiteout.RdevMajor, whiteout.RdevMinor));
        Assert.Contains(LibC.ListXattrs(dir.Combine("opaque")), x => x.Key == "trusted.overlay.opaque" && x.Value is [(byte)'y']);
        Assert.Equal("n", File.ReadAllText(dir.Combine("opaque", "new")));
        Assert.False(FileStat.Exists(dir.Combine("opaque", ".wh..wh..opq")));
    }

    [Fact]
    public async Task A_later_entry_replaces_an_earlier_one_of_another_kind()
    {
        using var dir = new TempDirectory();
        var layer = new TarBuilder()
            .Directory("x/").File("x/inner", "i")
            .File("x", "now a file")
            .Symlink("y", "somewhere")
            .Directory("y/")
            .Build();

        await LayerUnpacker.UnpackAsync(new MemoryStream(layer), dir.Path);

        Assert.Equal("now a file", File.ReadAllText(dir.Combine("x")));
        Assert.Equal(LibC.S_IFDIR, FileStat.Type(dir.Combine("y")));
    }
}
