using System.Diagnostics;
using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Layers;

// Unpack throughput and memory of the layer unpacker.
//   dotnet run -c Release --project bench/Images -- [SIZE_MB=200] [gzip|zstd|none]
// Builds a layer of SIZE_MB of file content (a mix of sizes, half compressible) in a temp store, then unpacks it and
// reports MB/s of uncompressed tar and the process's peak RSS, which must stay flat as SIZE_MB grows (streaming).
//   dotnet run -c Release --project bench/Images -- --file LAYER.tar   (unpack an existing layer, e.g. to compare with GNU tar)
//   dotnet run -c Release --project bench/Images -- --write [SIZE_MB=256] [gzip|zstd|none] [REPEATS=1]
// Writes a directory like bench/run's biglayer workload (half random, half repeated text, in two files) to a layer
// blob the way a RUN step's diff is stored (tar -> sha256 -> compressor -> sha256 -> file, fsync) and reports MB/s
// of tar, the compressed size, and the time split: reading the tree alone, tar + DiffID alone, and the whole write.
if (args is ["--write", ..])
{
    await WriteBench.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 256,
        args.Length > 2 ? Enum.Parse<LayerCompression>(args[2], ignoreCase: true) : LayerCompression.Gzip,
        args.Length > 3 ? int.Parse(args[3]) : 1);
    return;
}
if (args is ["--file", var layerFile])
{
    var into = Path.Combine(Path.GetTempPath(), "ashlar-bench-" + Guid.NewGuid().ToString("N")[..8]);
    var watch = Stopwatch.StartNew();
    var result = await LayerUnpacker.UnpackFileAsync(layerFile, into);
    watch.Stop();
    Console.WriteLine($"unpack: {result.UncompressedSize / 1e6 / watch.Elapsed.TotalSeconds:F0} MB/s ({watch.Elapsed.TotalSeconds:F2}s, {result.Entries} entries), peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
    Directory.Delete(into, recursive: true);
    return;
}
var sizeMb = args.Length > 0 ? int.Parse(args[0]) : 200;
var compression = args.Length > 1 ? Enum.Parse<LayerCompression>(args[1], ignoreCase: true) : LayerCompression.Gzip;
var work = Path.Combine(Path.GetTempPath(), "ashlar-bench-" + Guid.NewGuid().ToString("N")[..8]);
try
{
    var store = new FileContentStore(Path.Combine(work, "store"));
    var random = new Random(42);
    var chunk = new byte[1 << 20];

    var build = Stopwatch.StartNew();
    var layer = await LayerBlob.CreateAsync(store, compression, async (tar, ct) =>
    {
        await using var writer = new LayerTarWriter(tar);
        long written = 0;
        var fileIndex = 0;
        while (written < (long)sizeMb << 20)
        {
            // Sizes from 1 KiB to 4 MiB; every other file is random (incompressible), the rest repetitive text.
            var size = Math.Min(1024L << random.Next(0, 13), ((long)sizeMb << 20) - written);
            var content = new MemoryStream((int)size);
            while (content.Length < size)
            {
                if (fileIndex % 2 == 0) random.NextBytes(chunk);
                else chunk.AsSpan().Fill((byte)('a' + fileIndex % 26));
                content.Write(chunk, 0, (int)Math.Min(chunk.Length, size - content.Length));
            }
            content.Position = 0;
            await writer.AddFileAsync($"dir{fileIndex % 64}/file{fileIndex}", content, LayerEntryMetadata.DefaultFile, ct);
            written += size;
            fileIndex++;
        }
    });
    build.Stop();
    Console.WriteLine($"layer: {layer.UncompressedSize / 1e6:F1} MB tar, {layer.Descriptor.Size / 1e6:F1} MB {compression}, built in {build.Elapsed.TotalSeconds:F1}s");

    GC.Collect();
    var process = Process.GetCurrentProcess();
    process.Refresh();
    var rssBefore = process.WorkingSet64;
    // A new layer's blob is written past the page cache; read it once, so the unpack starts from the page cache as
    // it does after a pull, and this measures the unpacker, not the disk.
    await using (var blob = store.OpenRead(layer.Descriptor.Digest))
        await blob.CopyToAsync(Stream.Null);
    var unpack = Stopwatch.StartNew();
    await using (var blob = store.OpenRead(layer.Descriptor.Digest))
        await LayerUnpacker.UnpackAsync(blob, Path.Combine(work, "rootfs"));
    unpack.Stop();
    process.Refresh();
    Console.WriteLine($"unpack: {layer.UncompressedSize / 1e6 / unpack.Elapsed.TotalSeconds:F0} MB/s ({unpack.Elapsed.TotalSeconds:F2}s)");
    Console.WriteLine($"rss: {rssBefore / 1e6:F0} MB before unpack, peak {process.PeakWorkingSet64 / 1e6:F0} MB for the whole run (the build step buffers one file of at most 4 MiB)");
}
finally
{
    Directory.Delete(work, recursive: true);
}
