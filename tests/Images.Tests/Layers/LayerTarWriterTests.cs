using System.Formats.Tar;
using System.Text;
using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Layers;
using Ashlar.Images.Native;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Layers;

public class LayerTarWriterTests
{
    private static void MakeTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "b/sub"));
        Directory.CreateDirectory(Path.Combine(root, "a"));
        File.WriteAllText(Path.Combine(root, "b/sub/file"), "content");
        File.WriteAllText(Path.Combine(root, "a/z"), "z");
        File.WriteAllText(Path.Combine(root, "a/" + new string('l', 120)), "long name");
        File.CreateSymbolicLink(Path.Combine(root, "a/link"), "../b/sub/file");
        Assert.Equal(0, LibC.LinkAt(LibC.AT_FDCWD, Path.Combine(root, "a/z"), LibC.AT_FDCWD, Path.Combine(root, "hard"), 0));
        File.SetUnixFileMode(Path.Combine(root, "b/sub/file"), (UnixFileMode)0x9ed);
        LibC.SetXattr(Path.Combine(root, "a/z"), "user.k", "v"u8);
    }

    private static async Task<byte[]> WriteAsync(string tree, LayerTreeOptions options)
    {
        var output = new MemoryStream();
        await using (var writer = new LayerTarWriter(output))
            await writer.AddTreeAsync(tree, "", options);
        return output.ToArray();
    }

    [Fact]
    public async Task The_same_tree_gives_the_same_bytes_in_a_stable_order()
    {
        using var dir = new TempDirectory();
        MakeTree(dir.Path);
        var options = new LayerTreeOptions { FixedModificationTime = DateTimeOffset.FromUnixTimeSeconds(1700000000) };

        var first = await WriteAsync(dir.Path, options);
        File.SetLastWriteTimeUtc(dir.Combine("a", "z"), DateTime.UtcNow.AddDays(-3)); // ignored under a fixed mtime
        var second = await WriteAsync(dir.Path, options);

        Assert.Equal(Digest.Sha256(first), Digest.Sha256(second));
        var names = new List<string>();
        await using var reader = new TarReader(new MemoryStream(first));
        while (await reader.GetNextEntryAsync() is { } entry)
        {
            names.Add(entry.Name);
            Assert.Equal("", ((PosixTarEntry)entry).UserName);
        }
        Assert.Equal(["a/", "a/link", "a/" + new string('l', 120), "a/z", "b/", "b/sub/", "b/sub/file", "hard"], names);
    }

    [Fact]
    public async Task A_tree_round_trips_through_the_unpacker()
    {
        using var dir = new TempDirectory();
        var source = dir.Combine("source");
        MakeTree(source);
        var tar = await WriteAsync(source, new LayerTreeOptions());
        var target = dir.Combine("target");

        await LayerUnpacker.UnpackAsync(new MemoryStream(tar), target);

        Assert.Equal(FileStat.Tree(source), FileStat.Tree(target));
        Assert.Equal("content", File.ReadAllText(Path.Combine(target, "b/sub/file")));
        Assert.Equal(0x9ed, FileStat.Of(Path.Combine(target, "b/sub/file")).Mode & 0xfff);
        Assert.Equal("../b/sub/file", new FileInfo(Path.Combine(target, "a/link")).LinkTarget);
        Assert.Equal(FileStat.Of(Path.Combine(target, "a/z")).Inode, FileStat.Of(Path.Combine(target, "hard")).Inode);
        Assert.Contains(LibC.ListXattrs(Path.Combine(target, "a/z")), x => x.Key == "user.k");
        Assert.Equal(FileStat.Of(Path.Combine(source, "b/sub/file")).ModifyTime.Seconds, FileStat.Of(Path.Combine(target, "b/sub/file")).ModifyTime.Seconds);
    }

    [Fact]
    public async Task An_overlay_upper_dir_becomes_oci_whiteouts()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("opaque"));
        LibC.SetXattr(dir.Combine("opaque"), "trusted.overlay.opaque", "y"u8);
        Assert.Equal(0, LibC.MknodAt(LibC.AT_FDCWD, dir.Combine("deleted"), LibC.S_IFCHR, 0));

        var tar = await WriteAsync(dir.Path, new LayerTreeOptions { OverlayWhiteouts = true });

        var names = new List<string>();
        await using var reader = new TarReader(new MemoryStream(tar));
        while (await reader.GetNextEntryAsync() is { } entry) names.Add(entry.Name);
        Assert.Equal([".wh.deleted", "opaque/", "opaque/.wh..wh..opq"], names);
    }

    [Theory]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    [InlineData(LayerCompression.None)]
    public async Task A_layer_blob_has_its_diff_id_and_a_reproducible_digest(LayerCompression compression)
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Combine("store"));
        var tar = new TarBuilder().File("a", "layer content").Build();

        var first = await LayerBlob.FromTarAsync(store, new MemoryStream(tar), compression);
        var second = await LayerBlob.FromTarAsync(store, new MemoryStream(tar), compression);

        Assert.Equal(Digest.Sha256(tar), first.DiffId);
        Assert.Equal(tar.Length, first.UncompressedSize);
        Assert.Equal(first.Descriptor, second.Descriptor);
        Assert.Equal(LayerCodec.OciMediaType(compression), first.Descriptor.MediaType);
        await using (var stored = store.OpenRead(first.Descriptor.Digest))
            Assert.Equal((first.DiffId, first.UncompressedSize), await LayerBlob.ComputeDiffIdAsync(stored));
        await using var blob = store.OpenRead(first.Descriptor.Digest);
        var unpacked = await LayerUnpacker.UnpackAsync(blob, dir.Combine("out"));
        Assert.Equal(first.DiffId, unpacked.DiffId);
        Assert.Equal("layer content", Encoding.UTF8.GetString(File.ReadAllBytes(dir.Combine("out", "a"))));
    }

    [Fact]
    public void Chain_ids_follow_the_oci_rule()
    {
        var a = Digest.Sha256("a"u8);
        var b = Digest.Sha256("b"u8);
        Assert.Equal(a, ChainId.Of([a]));
        Assert.Equal(Digest.Sha256(Encoding.ASCII.GetBytes($"{a} {b}")), ChainId.Of([a, b]));
        Assert.Equal([a, ChainId.Of([a, b])], ChainId.ForEachLayer([a, b]));
    }
}
