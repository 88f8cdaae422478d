using System.Formats.Tar;
using Ashlar.Images.Layers;
using Ashlar.Images.Native;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Layers;

/// <summary>
/// Binary xattr values (file capabilities above all) survive every path byte for byte: our writer to GNU tar, GNU
/// tar to our unpacker, libarchive's base64 records, and our own round trip.
/// </summary>
public class BinaryXattrTests
{
    /// <summary>
    /// A VFS_CAP_REVISION_2 <c>security.capability</c> granting cap_net_bind_service (bit 10) effective and permitted:
    /// magic_etc 0x02000001, permitted {0x400, 0}, inheritable {0, 0}, little-endian. Not valid UTF-8 (0x00, 0x02...).
    /// </summary>
    internal static readonly byte[] NetBindCapability =
        [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    /// <summary>Every byte value, NUL and invalid UTF-8 sequences included.</summary>
    private static readonly byte[] AllBytes = [.. Enumerable.Range(0, 256).Select(i => (byte)i)];

    private static void MakeCappedFile(string path)
    {
        File.WriteAllText(path, "#!/bin/sh\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ed);
        LibC.SetXattr(path, "security.capability", NetBindCapability);
        LibC.SetXattr(path, "user.binary", AllBytes);
    }

    private static byte[]? Xattr(string path, string name) => LibC.ListXattrs(path).FirstOrDefault(x => x.Key == name).Value;

    [Fact]
    public async Task A_capability_written_by_our_writer_is_restored_by_gnu_tar()
    {
        using var dir = new TempDirectory();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(tree);
        MakeCappedFile(Path.Combine(tree, "ping"));
        var tarPath = dir.Combine("layer.tar");
        await using (var output = File.Create(tarPath))
        await using (var writer = new LayerTarWriter(output))
            await writer.AddTreeAsync(tree);

        var into = dir.Combine("gnu");
        Directory.CreateDirectory(into);
        (await ExternalTool.RunAsync("tar", ["--xattrs", "--xattrs-include=*", "-xpf", tarPath, "-C", into])).EnsureSuccess("tar -x");

        Assert.Equal(NetBindCapability, Xattr(Path.Combine(into, "ping"), "security.capability"));
        Assert.Equal(AllBytes, Xattr(Path.Combine(into, "ping"), "user.binary"));
        if (ExternalTool.Exists("getcap"))
        {
            var getcap = (await ExternalTool.RunAsync("getcap", [Path.Combine(into, "ping")])).EnsureSuccess("getcap");
            Assert.Contains("cap_net_bind_service=ep", getcap.Stdout);
        }
    }

    [Fact]
    public async Task Binary_xattrs_in_a_gnu_tar_archive_unpack_byte_exact()
    {
        using var dir = new TempDirectory();
        var tree = dir.Combine("tree");
        Directory.CreateDirectory(tree);
        MakeCappedFile(Path.Combine(tree, "ping"));
        var tarPath = dir.Combine("gnu.tar");
        // GNU tar writes SCHILY.xattr records with raw values (only in the posix format: it refuses xattrs in others).
        (await ExternalTool.RunAsync("tar", ["--xattrs", "--xattrs-include=*", "--format=posix", "-cf", tarPath, "-C", tree, "ping"])).EnsureSuccess("tar -c");

        var target = dir.Combine("root");
        await LayerUnpacker.UnpackFileAsync(tarPath, target);

        Assert.Equal(NetBindCapability, Xattr(Path.Combine(target, "ping"), "security.capability"));
        Assert.Equal(AllBytes, Xattr(Path.Combine(target, "ping"), "user.binary"));
    }

    [Fact]
    public async Task Libarchive_base64_xattr_records_are_decoded()
    {
        using var dir = new TempDirectory();
        // bsdtar's form: LIBARCHIVE.xattr.<percent-encoded name>=<base64 without padding>.
        var encoded = Convert.ToBase64String(NetBindCapability).TrimEnd('=');
        var tar = new TarBuilder()
            .File("ping", "x", pax: new() { ["LIBARCHIVE.xattr.security.capability"] = encoded, ["LIBARCHIVE.xattr.user.with%20space"] = "AAH/" })
            .Build();

        await LayerUnpacker.UnpackAsync(new MemoryStream(tar), dir.Combine("root"));

        Assert.Equal(NetBindCapability, Xattr(dir.Combine("root", "ping"), "security.capability"));
        Assert.Equal([0x00, 0x01, 0xff], Xattr(dir.Combine("root", "ping"), "user.with space"));
    }

    [Fact]
    public async Task Binary_xattrs_round_trip_through_our_writer_and_unpacker()
    {
        using var dir = new TempDirectory();
        var tar = new MemoryStream();
        await using (var writer = new LayerTarWriter(tar))
        {
            var xattrs = new Dictionary<string, byte[]> { ["security.capability"] = NetBindCapability, ["user.binary"] = AllBytes, ["user.empty"] = [] };
            await writer.AddFileAsync("bin/ping", new MemoryStream("x"u8.ToArray()), LayerEntryMetadata.DefaultFile with { Xattrs = xattrs });
        }
        tar.Position = 0;

        await LayerUnpacker.UnpackAsync(tar, dir.Combine("root"));

        var file = dir.Combine("root", "bin", "ping");
        Assert.Equal(NetBindCapability, Xattr(file, "security.capability"));
        Assert.Equal(AllBytes, Xattr(file, "user.binary"));
        Assert.Equal([], Xattr(file, "user.empty") ?? [0xff]);
    }

    [Fact]
    public async Task System_formats_tar_still_reads_our_pax_headers()
    {
        var tar = new MemoryStream();
        await using (var writer = new LayerTarWriter(tar))
            await writer.AddFileAsync("a", new MemoryStream("x"u8.ToArray()), LayerEntryMetadata.DefaultFile with
            {
                Xattrs = new Dictionary<string, byte[]> { ["user.text"] = "plain"u8.ToArray() },
                ModificationTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250),
            });
        tar.Position = 0;

        await using var reader = new TarReader(tar);
        var entry = Assert.IsType<PaxTarEntry>(await reader.GetNextEntryAsync());
        Assert.Equal("a", entry.Name);
        Assert.Equal("plain", entry.ExtendedAttributes["SCHILY.xattr.user.text"]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), entry.ModificationTime);
        Assert.Null(await reader.GetNextEntryAsync());
    }
}
