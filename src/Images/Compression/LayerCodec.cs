using System.IO.Compression;
using Ashlar.Images.Formats;
using ZstdSharp;

namespace Ashlar.Images.Compression;

/// <summary>Compression detection (by media type and by magic bytes) and compress/decompress streams.</summary>
public static class LayerCodec
{
    private static readonly byte[] GzipMagic = [0x1f, 0x8b];
    private static readonly byte[] ZstdMagic = [0x28, 0xb5, 0x2f, 0xfd];

    /// <summary>The compression a layer media type announces; null when the type is not a layer type.</summary>
    public static LayerCompression? FromMediaType(string mediaType) => mediaType switch
    {
        MediaTypes.OciLayer or MediaTypes.OciLayerNondistributable or MediaTypes.DockerLayer => LayerCompression.None,
        MediaTypes.OciLayerGzip or MediaTypes.OciLayerNondistributableGzip or MediaTypes.DockerLayerGzip or MediaTypes.DockerForeignLayerGzip => LayerCompression.Gzip,
        MediaTypes.OciLayerZstd or MediaTypes.OciLayerNondistributableZstd => LayerCompression.Zstd,
        _ => null,
    };

    /// <summary>The OCI layer media type for a compression.</summary>
    public static string OciMediaType(LayerCompression compression) => compression switch
    {
        LayerCompression.Gzip => MediaTypes.OciLayerGzip,
        LayerCompression.Zstd => MediaTypes.OciLayerZstd,
        _ => MediaTypes.OciLayer,
    };

    /// <summary>The compression the first bytes of a stream show.</summary>
    public static LayerCompression Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith(GzipMagic)) return LayerCompression.Gzip;
        if (header.StartsWith(ZstdMagic)) return LayerCompression.Zstd;
        return LayerCompression.None;
    }

    /// <summary>
    /// Wraps <paramref name="compressed"/> in a decompressing stream after sniffing its magic bytes (which the
    /// returned stream still yields to the decompressor), so a mislabelled layer still reads.
    /// </summary>
    public static async Task<(Stream Stream, LayerCompression Compression)> OpenDecompressedAsync(Stream compressed, bool leaveOpen = false, CancellationToken cancellationToken = default)
    {
        var header = new byte[4];
        var read = 0;
        while (read < header.Length)
        {
            var n = await compressed.ReadAsync(header.AsMemory(read), cancellationToken);
            if (n == 0) break;
            read += n;
        }
        var compression = Detect(header.AsSpan(0, read));
        Stream replay = new PrefixedStream(header.AsMemory(0, read), compressed, leaveOpen);
        return (Decompress(replay, compression, leaveOpen: false), compression);
    }

    /// <summary>A decompressing view of <paramref name="stream"/>.</summary>
    public static Stream Decompress(Stream stream, LayerCompression compression, bool leaveOpen = false) => compression switch
    {
        LayerCompression.Gzip => new GZipStream(stream, CompressionMode.Decompress, leaveOpen),
        LayerCompression.Zstd => new DecompressionStream(stream, leaveOpen: leaveOpen),
        _ => stream,
    };

    /// <summary>
    /// A compressing stream into <paramref name="destination"/>. gzip is compressed on every core in fixed-size blocks
    /// (<see cref="ParallelGzipStream"/>) and is deterministic for the same input (no name, zero mtime in the header,
    /// block boundaries by byte count), so a rebuilt layer gets the same digest.
    /// </summary>
    public static Stream Compress(Stream destination, LayerCompression compression, bool leaveOpen = false) => compression switch
    {
        LayerCompression.Gzip => new ParallelGzipStream(destination, CompressionLevel.Fastest, leaveOpen),
        LayerCompression.Zstd => new CompressionStream(destination, level: 3, leaveOpen: leaveOpen),
        _ => leaveOpen ? new NonClosingStream(destination) : destination,
    };
}
