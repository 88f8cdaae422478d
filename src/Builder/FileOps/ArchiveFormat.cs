using System.IO.Compression;
using ICSharpCode.SharpZipLib.BZip2;
using SharpCompress.Compressors.Xz;
using ZstdSharp;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// Recognises a tar archive by content, as BuildKit's ADD does: plain, gzip, bzip2, xz or zstd compressed, and only
/// when the first 512 bytes after decompression are a valid tar header (a .tar.gz that is not a tar is just copied).
/// </summary>
internal static class ArchiveFormat
{
    /// <summary>True when the file is a (possibly compressed) tar archive.</summary>
    public static async Task<bool> IsArchiveAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await OpenDecompressedAsync(path, cancellationToken);
            var header = new byte[512];
            var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            return read == header.Length && IsTarHeader(header);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or FormatException or ArgumentException or InvalidOperationException)
        {
            return false; // compressed but corrupt, or not what the magic promised: not an archive
        }
    }

    /// <summary>The file's content, decompressed according to its magic bytes.</summary>
    public static async Task<Stream> OpenDecompressedAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        var magic = new byte[6];
        var n = await file.ReadAtLeastAsync(magic, magic.Length, throwOnEndOfStream: false, cancellationToken);
        file.Position = 0;
        var head = magic.AsSpan(0, n);
        if (head.StartsWith((byte[])[0x1f, 0x8b])) return new GZipStream(file, CompressionMode.Decompress);
        if (head.StartsWith("BZh"u8)) return new BZip2InputStream(file);
        if (head.StartsWith((byte[])[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return new XZStream(file);
        if (head.StartsWith((byte[])[0x28, 0xb5, 0x2f, 0xfd])) return new DecompressionStream(file);
        return file;
    }

    // A ustar/gnu magic, or a v7 header whose checksum adds up.
    private static bool IsTarHeader(ReadOnlySpan<byte> header)
    {
        if (header[257..262].SequenceEqual("ustar"u8)) return true;
        var stored = System.Text.Encoding.ASCII.GetString(header[148..156]).Trim('\0', ' ');
        if (stored.Length == 0) return false;
        long expected;
        try { expected = Convert.ToInt64(stored, 8); }
        catch (FormatException) { return false; }
        long sum = 0;
        for (var i = 0; i < 512; i++) sum += i is >= 148 and < 156 ? ' ' : header[i];
        return sum == expected && header[0] != 0;
    }
}
