using System.Diagnostics;
using System.Security.Cryptography;
using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Layers;

/// <summary>Layer write throughput: a biglayer-like tree to a stored blob, with the cost of each stage beside it.</summary>
internal static class WriteBench
{
    public static async Task RunAsync(int sizeMb, LayerCompression compression, int repeats = 1)
    {
        var work = Path.Combine(Path.GetTempPath(), "ashlar-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var tree = Path.Combine(work, "tree", "data");
            Directory.CreateDirectory(tree);
            var half = (long)sizeMb << 19;
            var chunk = new byte[1 << 20];
            var random = new Random(42);
            await using (var file = File.Create(Path.Combine(tree, "random.bin")))
                for (long written = 0; written < half; written += chunk.Length)
                {
                    random.NextBytes(chunk);
                    await file.WriteAsync(chunk);
                }
            var line = "ashlar benchmark: a line of text that compresses well, 0123456789\n"u8.ToArray();
            for (var i = 0; i < chunk.Length; i++) chunk[i] = line[i % line.Length];
            await using (var file = File.Create(Path.Combine(tree, "text.txt")))
                for (long written = 0; written < half; written += chunk.Length)
                    await file.WriteAsync(chunk);
            var root = Path.GetDirectoryName(tree)!;

            // Stage costs: the tar alone (reading the tree from the page cache) and the tar through sha256.
            var tarOnly = await TimeAsync(async () =>
            {
                await using var writer = new LayerTarWriter(Stream.Null);
                await writer.AddTreeAsync(root);
            });
            var tarHashed = await TimeAsync(async () =>
            {
                await using var hashing = new HashingStream();
                await using var writer = new LayerTarWriter(hashing);
                await writer.AddTreeAsync(root);
            });

            var gzipOnly = await TimeAsync(async () =>
            {
                await using var gzip = LayerCodec.Compress(Stream.Null, compression);
                await using var writer = new LayerTarWriter(gzip);
                await writer.AddTreeAsync(root);
            });

            var store = new FileContentStore(Path.Combine(work, "store"));
            LayerBlob? layer = null;
            // Repeated, the median run: one write's time depends on what the machine's memory and disk were doing.
            var wholes = new List<(TimeSpan Wall, TimeSpan Cpu)>();
            for (var i = 0; i < repeats; i++)
            {
                if (layer is not null) store.Delete(layer.Descriptor.Digest);
                wholes.Add(await TimeAsync(async () => layer = await LayerBlob.FromDirectoryAsync(store, root, compression)));
            }
            var whole = wholes.OrderBy(t => t.Wall).ElementAt(repeats / 2);
            var wholeCpu = wholes.OrderBy(t => t.Cpu).ElementAt(repeats / 2).Cpu;
            var mb = layer!.UncompressedSize / 1e6;
            Console.WriteLine($"layer write ({compression}, {Environment.ProcessorCount} cores): {mb:F0} MB tar -> {layer.Descriptor.Size / 1e6:F0} MB blob");
            void Print(string what, (TimeSpan Wall, TimeSpan Cpu) t) =>
                Console.WriteLine($"  {what,-18} {t.Wall.TotalSeconds,6:F2}s wall {mb / t.Wall.TotalSeconds,6:F0} MB/s, {t.Cpu.TotalSeconds,6:F2}s CPU");
            Print("tar only", tarOnly);
            Print("tar + sha256", tarHashed);
            Print($"tar + {compression}", gzipOnly);
            Print(repeats == 1 ? "whole layer write" : $"whole, median of {repeats}", (whole.Wall, wholeCpu));
            Console.WriteLine("  (whole: tar, sha256 of the tar, compression, sha256 of the blob, store and fsync)");
            Console.WriteLine($"  peak RSS {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} MB");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> TimeAsync(Func<Task> action)
    {
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await action();
        watch.Stop();
        process.Refresh();
        return (watch.Elapsed, process.TotalProcessorTime - cpu);
    }

    /// <summary>sha256 of what passes, then dropped.</summary>
    private sealed class HashingStream : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        public override void Write(ReadOnlySpan<byte> buffer) => _hash.AppendData(buffer);
        public override void Write(byte[] buffer, int offset, int count) => _hash.AppendData(buffer, offset, count);
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) { }
    }
}
