using System.Buffers.Binary;

namespace Ashlar.Images.Compression;

/// <summary>The uncompressed size of a layer blob: what <c>docker images</c> counts, read cheaply where the format says it.</summary>
public static class LayerSize
{
    // Below this a gzip layer surely unpacks to under 4 GiB, where the trailer's size (modulo 2^32) is exact.
    private const long TrustTrailerBelow = 256L << 20;

    /// <summary>
    /// Bytes of the uncompressed tar in <paramref name="blob"/> (a seekable stream, e.g. a stored blob): a plain tar's
    /// length, a gzip layer's ISIZE trailer (one member, as layer writers make them), else counted by decompressing.
    /// </summary>
    public static async Task<long> UncompressedAsync(Stream blob, CancellationToken cancellationToken = default)
    {
        if (!blob.CanSeek) throw new ArgumentException("the layer stream must be seekable", nameof(blob));
        var header = new byte[4];
        var read = await blob.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        var compression = LayerCodec.Detect(header.AsSpan(0, read));
        if (compression == LayerCompression.None) return blob.Length;
        if (compression == LayerCompression.Gzip && blob.Length is >= 18 and < TrustTrailerBelow)
        {
            blob.Seek(-4, SeekOrigin.End);
            await blob.ReadExactlyAsync(header, cancellationToken);
            return BinaryPrimitives.ReadUInt32LittleEndian(header);
        }
        blob.Seek(0, SeekOrigin.Begin);
        await using var plain = LayerCodec.Decompress(blob, compression, leaveOpen: true);
        var buffer = new byte[1 << 17];
        long total = 0;
        int n;
        while ((n = await plain.ReadAsync(buffer, cancellationToken)) > 0) total += n;
        return total;
    }
}
