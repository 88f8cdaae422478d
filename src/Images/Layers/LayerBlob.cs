using System.IO.Compression;
using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Images.Layers;

/// <summary>
/// A layer stored in the content store: its descriptor (of the compressed blob) and its DiffID (of the tar), both
/// computed in one streaming pass: tar -> sha256 (DiffID) -> compressor -> sha256 (digest) -> file (for gzip, the
/// compressor computes the DiffID itself, beside its compression).
/// </summary>
/// <param name="Descriptor">The blob's descriptor, with the OCI layer media type for its compression.</param>
/// <param name="DiffId">sha256 of the uncompressed tar (what goes in the config's rootfs.diff_ids).</param>
/// <param name="UncompressedSize">Bytes of the uncompressed tar.</param>
public sealed record LayerBlob(Descriptor Descriptor, Digest DiffId, long UncompressedSize)
{
    /// <summary>
    /// Stores the tar that <paramref name="writeTar"/> writes (uncompressed) as a compressed layer blob. The blob is
    /// written past the page cache: a new layer is not read back soon (its files are the snapshot's).
    /// </summary>
    public static async Task<LayerBlob> CreateAsync(FileContentStore content, LayerCompression compression, Func<Stream, CancellationToken, Task> writeTar, CancellationToken cancellationToken = default)
    {
        await using var blob = content.BeginWrite(direct: true);
        Digest diffId;
        long uncompressed;
        if (compression == LayerCompression.Gzip)
        {
            // The gzip stream hashes the tar itself (the DiffID) over its blocks, on another core than the tar's.
            await using var gzip = new ParallelGzipStream(blob, CompressionLevel.Fastest, leaveOpen: true, hashInput: true);
            await writeTar(gzip, cancellationToken);
            await gzip.FinishAsync(cancellationToken);
            (diffId, uncompressed) = (gzip.InputDigest, gzip.InputLength);
        }
        else
        {
            await using var compressor = LayerCodec.Compress(blob, compression, leaveOpen: true);
            await using var hashing = new HashingWriteStream(compressor);
            await writeTar(hashing, cancellationToken);
            await hashing.FlushAsync(cancellationToken);
            (diffId, uncompressed) = (hashing.Digest, hashing.BytesWritten);
        }
        var (digest, size) = await blob.CommitAsync(cancellationToken: cancellationToken);
        return new LayerBlob(Descriptor.For(LayerCodec.OciMediaType(compression), digest, size), diffId, uncompressed);
    }

    /// <summary>Stores an existing tar (plain, gzip or zstd: detected) as a layer with <paramref name="compression"/>.</summary>
    public static async Task<LayerBlob> FromTarAsync(FileContentStore content, Stream tar, LayerCompression compression, CancellationToken cancellationToken = default)
    {
        var (plain, _) = await LayerCodec.OpenDecompressedAsync(tar, leaveOpen: true, cancellationToken);
        await using (plain)
            return await CreateAsync(content, compression, (output, ct) => plain.CopyToAsync(output, 1 << 17, ct), cancellationToken);
    }

    /// <summary>Stores a directory tree as a layer (see <see cref="LayerTarWriter.AddTreeAsync"/>).</summary>
    public static Task<LayerBlob> FromDirectoryAsync(FileContentStore content, string directory, LayerCompression compression, LayerTreeOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateAsync(content, compression, async (output, ct) =>
        {
            await using var writer = new LayerTarWriter(output);
            await writer.AddTreeAsync(directory, "", options, ct);
        }, cancellationToken);

    /// <summary>The DiffID of a layer blob (plain, gzip or zstd: detected): sha256 of its uncompressed tar, streamed.</summary>
    public static async Task<(Digest DiffId, long UncompressedSize)> ComputeDiffIdAsync(Stream layer, CancellationToken cancellationToken = default)
    {
        var (plain, _) = await LayerCodec.OpenDecompressedAsync(layer, leaveOpen: true, cancellationToken);
        await using (plain)
        {
            var hashing = new HashingReadStream(plain);
            await hashing.DrainAsync(cancellationToken);
            return (hashing.Digest, hashing.BytesRead);
        }
    }
}
