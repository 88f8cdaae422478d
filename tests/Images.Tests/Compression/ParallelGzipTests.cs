using System.IO.Compression;
using Ashlar.Images.Compression;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Compression;

/// <summary>Parallel gzip: one valid gzip stream that gunzip and .NET read back, the same bytes however it was written.</summary>
public class ParallelGzipTests
{
    private const int Block = 64 * 1024;

    /// <summary>Random and repetitive stretches, so both stored and deflated blocks occur.</summary>
    private static byte[] Content(int length)
    {
        var data = new byte[length];
        var random = new Random(7);
        for (var start = 0; start < length; start += 3 * Block)
        {
            var randomPart = data.AsSpan(start, Math.Min(Block + 123, length - start));
            random.NextBytes(randomPart);
            for (var i = start + randomPart.Length; i < Math.Min(start + 3 * Block, length); i++) data[i] = (byte)"layer text "[i % 11];
        }
        return data;
    }

    private static byte[] Compress(byte[] data, int chunk, int parallelism = 4)
    {
        var output = new MemoryStream();
        using (var gzip = new ParallelGzipStream(output, CompressionLevel.Fastest, leaveOpen: true, blockSize: Block, parallelism: parallelism))
            for (var offset = 0; offset < data.Length; offset += chunk)
                gzip.Write(data, offset, Math.Min(chunk, data.Length - offset));
        return output.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Block - 1)]
    [InlineData(Block)]
    [InlineData(Block + 1)]
    [InlineData(10 * Block + 17)]
    public async Task Gunzip_and_dotnet_read_back_the_input(int length)
    {
        var data = Content(length);
        var gzip = Compress(data, 10_000);

        using var dir = new TempDirectory();
        await File.WriteAllBytesAsync(dir.Combine("data.gz"), gzip);
        (await ExternalTool.RunAsync("gzip", ["-t", dir.Combine("data.gz")])).EnsureSuccess("gzip -t");
        (await ExternalTool.RunAsync("gzip", ["-d", dir.Combine("data.gz")])).EnsureSuccess("gzip -d");
        Assert.Equal(data, await File.ReadAllBytesAsync(dir.Combine("data")));

        var decompressed = new MemoryStream();
        await using (var reader = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress))
            await reader.CopyToAsync(decompressed);
        Assert.Equal(data, decompressed.ToArray());
    }

    [Fact]
    public async Task Async_writes_give_the_same_stream_as_sync_ones()
    {
        var data = Content(5 * Block + 3);
        var output = new MemoryStream();
        await using (var gzip = new ParallelGzipStream(output, CompressionLevel.Fastest, leaveOpen: true, blockSize: Block))
            for (var offset = 0; offset < data.Length; offset += 4096)
                await gzip.WriteAsync(data.AsMemory(offset, Math.Min(4096, data.Length - offset)));

        Assert.Equal(Compress(data, 50_000), output.ToArray());
    }

    [Fact]
    public void The_output_depends_only_on_the_input()
    {
        var data = Content(7 * Block + 99);

        var first = Compress(data, 1_000, parallelism: 1);
        var second = Compress(data, 100_003, parallelism: 4);
        var third = Compress(data, data.Length, parallelism: 2);

        Assert.Equal(first, second);
        Assert.Equal(first, third);
        Assert.True(first.Length < data.Length, "the repetitive stretches compress");
    }

    [Fact]
    public void Random_blocks_are_stored_and_text_blocks_deflated()
    {
        var random = new byte[Block];
        new Random(1).NextBytes(random);
        var text = Enumerable.Range(0, Block).Select(i => (byte)"some text, "[i % 11]).ToArray();

        Assert.True(ParallelGzipStream.LooksIncompressible(random));
        Assert.False(ParallelGzipStream.LooksIncompressible(text));
        Assert.False(ParallelGzipStream.LooksIncompressible(new byte[Block]));
    }
}
