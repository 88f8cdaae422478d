using System.Formats.Tar;

namespace Ashlar.Cli.Tests;

/// <summary><c>ashlar images</c> shows docker's SIZE: what the image unpacks to, not its compressed bytes.</summary>
public sealed class ImagesSizeTests
{
    [Fact]
    public async Task Size_is_the_unpacked_size_not_the_compressed_one()
    {
        var work = Directory.CreateTempSubdirectory("ashlar-cli-images-").FullName;
        try
        {
            // 3 MB of zeros: about 3 kB once gzipped in the store, 3 MB unpacked.
            var rootfs = Path.Combine(work, "rootfs.tar");
            await using (var file = File.Create(rootfs))
            await using (var tar = new TarWriter(file, TarEntryFormat.Ustar))
                await tar.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, "zeros") { DataStream = new MemoryStream(new byte[3_000_000]) });
            var root = Path.Combine(work, "store");
            Assert.Equal(0, (await AshlarProcess.RunAsync("import", "--root", root, rootfs, "sized:1")).ExitCode);

            var images = await AshlarProcess.RunAsync("images", "--root", root);

            Assert.Equal(0, images.ExitCode);
            var row = Assert.Single(images.Stdout.Split('\n'), l => l.StartsWith("sized", StringComparison.Ordinal));
            Assert.EndsWith("3MB", row.TrimEnd());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
