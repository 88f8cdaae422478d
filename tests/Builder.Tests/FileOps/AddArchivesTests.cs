using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Ashlar.Builder.Tests.FileOps.Support;
using ICSharpCode.SharpZipLib.BZip2;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class AddArchivesTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Theory]
    [InlineData("plain")]
    [InlineData("gzip")]
    [InlineData("bzip2")]
    [InlineData("xz")]
    [InlineData("zstd")]
    public async Task Local_archives_are_extracted_by_content_keeping_tar_metadata(string compression)
    {
        // The name says nothing: detection is by content, like BuildKit.
        WriteArchive("bundle.bin", compression);

        await _box.CopyAsync(Add("/opt/bundle", "bundle.bin"));

        Assert.False(File.Exists(_box.InRootfs("/opt/bundle/bundle.bin")));
        Assert.Equal("hello", _box.Read("/opt/bundle/pkg/a.txt"));
        var file = _box.Stat("/opt/bundle/pkg/a.txt");
        Assert.Equal(("640", 7u, 8u, OldTime), (file.Octal, file.Uid, file.Gid, file.ModifiedTime));
        Assert.Equal("a.txt", _box.Stat("/opt/bundle/pkg/link").LinkTarget);
        Assert.Equal("750", _box.Stat("/opt/bundle/pkg").Octal);
    }

    [Fact]
    public async Task Whiteout_names_in_an_archive_are_plain_files_that_delete_nothing()
    {
        Directory.CreateDirectory(_box.InRootfs("/d"));
        await File.WriteAllTextAsync(_box.InRootfs("/d/hidden"), "still here");
        var archive = Path.Combine(_box.Context, "wh.tar");
        await using (var stream = File.Create(archive))
        await using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, ".wh.hidden") { DataStream = new MemoryStream("w"u8.ToArray()) });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, ".wh..wh..opq") { DataStream = new MemoryStream("o"u8.ToArray()) });
        }

        await _box.CopyAsync(Add("/d/", "wh.tar"));

        Assert.Equal("still here", _box.Read("/d/hidden"));
        Assert.Equal("w", _box.Read("/d/.wh.hidden"));
        Assert.Equal("o", _box.Read("/d/.wh..wh..opq"));
    }

    [Fact]
    public async Task Unpack_false_copies_the_archive_and_copy_never_extracts()
    {
        WriteArchive("b.tar.gz", "gzip");

        await _box.CopyAsync(Add("/x/", "b.tar.gz") with { Unpack = false });
        await _box.CopyAsync(Copy("/y/", "b.tar.gz"));

        Assert.True(File.Exists(_box.InRootfs("/x/b.tar.gz")));
        Assert.True(File.Exists(_box.InRootfs("/y/b.tar.gz")));
    }

    [Fact]
    public async Task A_compressed_file_that_is_not_a_tar_is_copied_as_it_is()
    {
        var path = Path.Combine(_box.Context, "notes.gz");
        await using (var file = File.Create(path))
        await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            gzip.Write("just text, not a tar archive"u8);
        await File.WriteAllTextAsync(Path.Combine(_box.Context, "fake.tar"), "not a tar either");

        await _box.CopyAsync(Add("/n/", "notes.gz", "fake.tar"));

        Assert.Equal("file", _box.Stat("/n/notes.gz").Type);
        Assert.Equal("not a tar either", _box.Read("/n/fake.tar"));
    }

    [Fact]
    public async Task Wildcard_archives_are_each_extracted_and_cannot_escape_the_destination()
    {
        WriteArchive("one.tar", "plain");
        var evil = Path.Combine(_box.Context, "two.tar");
        await using (var stream = File.Create(evil))
        await using (var writer = new TarWriter(stream, TarEntryFormat.Pax))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "up") { LinkName = "/" });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "up/escaped") { DataStream = new MemoryStream("x"u8.ToArray()) });
        }

        await _box.CopyAsync(Add("/w/", "*.tar"));

        Assert.Equal("hello", _box.Read("/w/pkg/a.txt"));
        // The symlink to "/" is resolved inside the destination directory, never the host or the rest of the rootfs.
        Assert.Equal("x", _box.Read("/w/escaped"));
        Assert.False(File.Exists(_box.InRootfs("/escaped")));
    }

    private void WriteArchive(string name, string compression)
    {
        var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Pax, leaveOpen: true))
        {
            writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "pkg/") { Mode = (UnixFileMode)0x1e8, ModificationTime = OldTime });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "pkg/a.txt")
            {
                Mode = (UnixFileMode)0x1a0, Uid = 7, Gid = 8, ModificationTime = OldTime,
                DataStream = new MemoryStream("hello"u8.ToArray()),
            });
            writer.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "pkg/link") { LinkName = "a.txt", ModificationTime = OldTime });
        }
        var bytes = tar.ToArray();
        var path = Path.Combine(_box.Context, name);
        switch (compression)
        {
            case "plain":
                File.WriteAllBytes(path, bytes);
                break;
            case "gzip":
                using (var file = File.Create(path))
                using (var gzip = new GZipStream(file, CompressionLevel.Fastest)) gzip.Write(bytes);
                break;
            case "bzip2":
                using (var file = File.Create(path))
                using (var bzip = new BZip2OutputStream(file)) bzip.Write(bytes);
                break;
            case "zstd":
                using (var file = File.Create(path))
                using (var zstd = new ZstdSharp.CompressionStream(file)) zstd.Write(bytes);
                break;
            case "xz":
                // No managed xz writer at hand: the xz tool (xz-utils) compresses the fixture.
                File.WriteAllBytes(path + ".raw", bytes);
                using (var process = Process.Start(new ProcessStartInfo("xz", ["-z", "-c", "-T1", path + ".raw"]) { RedirectStandardOutput = true })!)
                using (var file = File.Create(path))
                {
                    process.StandardOutput.BaseStream.CopyTo(file);
                    process.WaitForExit();
                    Assert.Equal(0, process.ExitCode);
                }
                File.Delete(path + ".raw");
                break;
        }
    }
}
