using Ashlar.Images.Layers;
using Ashlar.Images.Native;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Layers;

/// <summary>
/// Our tar reader and writer against GNU tar in each of its formats: long names (ustar prefix, pax path, GNU
/// longname), long link targets, ids beyond ustar's 7 octal digits, sub-second times.
/// </summary>
public class TarFormatTests
{
    private static readonly string LongDirectory = string.Join('/', Enumerable.Range(0, 6).Select(i => $"directory-number-{i}-" + new string('d', 10)));
    private static readonly string VeryLongName = string.Join('/', Enumerable.Range(0, 12).Select(i => $"level-{i}-" + new string('v', 20))) + "/file";
    private static readonly string LongTarget = "../" + new string('t', 140);

    private static void MakeTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, LongDirectory));
        File.WriteAllText(Path.Combine(root, LongDirectory, "file-in-a-deep-directory"), "deep");
        Directory.CreateDirectory(Path.Combine(root, Path.GetDirectoryName(VeryLongName)!));
        File.WriteAllText(Path.Combine(root, VeryLongName), "very long");
        File.CreateSymbolicLink(Path.Combine(root, "long-link"), LongTarget);
        File.WriteAllText(Path.Combine(root, "owned"), "owned");
        Assert.Equal(0, LibC.FchownAt(LibC.AT_FDCWD, Path.Combine(root, "owned"), 3_000_000, 3_000_001, 0));
        Assert.Equal(0, LibC.LinkAt(LibC.AT_FDCWD, Path.Combine(root, "owned"), LibC.AT_FDCWD, Path.Combine(root, "owned-link"), 0));
    }

    private static void AssertTree(string root)
    {
        Assert.Equal("deep", File.ReadAllText(Path.Combine(root, LongDirectory, "file-in-a-deep-directory")));
        Assert.Equal("very long", File.ReadAllText(Path.Combine(root, VeryLongName)));
        Assert.Equal(LongTarget, new FileInfo(Path.Combine(root, "long-link")).LinkTarget);
        var owned = FileStat.Of(Path.Combine(root, "owned"));
        Assert.Equal((3_000_000u, 3_000_001u), (owned.Uid, owned.Gid));
        Assert.Equal(owned.Inode, FileStat.Of(Path.Combine(root, "owned-link")).Inode);
    }

    [Theory]
    [InlineData("posix")]
    [InlineData("gnu")] // GNU longname/longlink entries, base-256 ids
    public async Task Archives_gnu_tar_writes_unpack_with_every_name_target_and_owner(string format)
    {
        using var dir = new TempDirectory();
        var tree = dir.Combine("tree");
        MakeTree(tree);
        var tarPath = dir.Combine("gnu.tar");
        (await ExternalTool.RunAsync("tar", [$"--format={format}", "--numeric-owner", "-cf", tarPath, "-C", tree, "."])).EnsureSuccess("tar -c");

        var target = dir.Combine("root");
        await LayerUnpacker.UnpackFileAsync(tarPath, target);

        AssertTree(target);
    }

    [Fact]
    public async Task Ustar_prefix_names_from_gnu_tar_are_joined()
    {
        using var dir = new TempDirectory();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(Path.Combine(tree, LongDirectory));
        File.WriteAllText(Path.Combine(tree, LongDirectory, "file-in-a-deep-directory"), "deep");
        var tarPath = dir.Combine("ustar.tar");
        (await ExternalTool.RunAsync("tar", ["--format=ustar", "-cf", tarPath, "-C", tree, "."])).EnsureSuccess("tar -c");

        await LayerUnpacker.UnpackFileAsync(tarPath, dir.Combine("root"));

        Assert.Equal("deep", File.ReadAllText(dir.Combine("root", LongDirectory, "file-in-a-deep-directory")));
    }

    [Fact]
    public async Task Our_archive_is_read_by_gnu_tar_with_every_name_target_owner_and_time()
    {
        using var dir = new TempDirectory();
        var tree = dir.Combine("tree");
        MakeTree(tree);
        var subSecond = new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc).AddTicks(1_234_567);
        File.SetLastWriteTimeUtc(Path.Combine(tree, "owned"), subSecond);
        var tarPath = dir.Combine("ours.tar");
        await using (var output = File.Create(tarPath))
        await using (var writer = new LayerTarWriter(output))
            await writer.AddTreeAsync(tree);

        var into = dir.Combine("gnu");
        Directory.CreateDirectory(into);
        (await ExternalTool.RunAsync("tar", ["--numeric-owner", "-xpf", tarPath, "-C", into])).EnsureSuccess("tar -x");

        AssertTree(into);
        Assert.Equal(subSecond, File.GetLastWriteTimeUtc(Path.Combine(into, "owned")));
        var listing = (await ExternalTool.RunAsync("tar", ["-tf", tarPath])).EnsureSuccess("tar -t").Stdout;
        Assert.Contains(VeryLongName + "\n", listing);
        Assert.DoesNotContain("PaxHeaders", listing);
    }

    [Fact]
    public async Task A_corrupted_header_is_refused_with_its_offset()
    {
        var tar = new TarBuilder().File("a", "x").File("b", "y").Build();
        tar[1024 + 10] ^= 0x55; // inside the second entry's name

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LayerUnpacker.UnpackAsync(new MemoryStream(tar), Path.Combine(Path.GetTempPath(), "ashlar-never-" + Guid.NewGuid().ToString("N"))));

        Assert.Contains("offset 1024", error.Message);
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public async Task A_truncated_layer_is_refused()
    {
        var tar = new TarBuilder().File("a", new string('x', 5000)).Build();
        using var dir = new TempDirectory();

        await Assert.ThrowsAsync<EndOfStreamException>(() => LayerUnpacker.UnpackAsync(new MemoryStream(tar[..2048]), dir.Combine("root")));
    }
}
