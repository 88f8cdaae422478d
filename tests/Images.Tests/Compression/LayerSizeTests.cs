using Ashlar.Images.Compression;

namespace Ashlar.Images.Tests.Compression;

/// <summary>A layer's unpacked size from its blob, whatever the compression.</summary>
public class LayerSizeTests
{
    [Theory]
    [InlineData(LayerCompression.None)]
    [InlineData(LayerCompression.Gzip)]
    [InlineData(LayerCompression.Zstd)]
    public async Task The_uncompressed_size_is_found_for_every_compression(LayerCompression compression)
    {
        var tar = new byte[1_234_567];
        new Random(3).NextBytes(tar.AsSpan(0, 100_000));
        var blob = new MemoryStream();
        await using (var compressor = LayerCodec.Compress(blob, compression, leaveOpen: true))
            await compressor.WriteAsync(tar);
        blob.Position = 0;

        Assert.Equal(tar.Length, await LayerSize.UncompressedAsync(blob));
        Assert.True(compression == LayerCompression.None || blob.Length < tar.Length / 2);
    }
}
