using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Cache.Index;

/// <summary>
/// The on-disk form of one index entry: a fixed header (magic, version, expiration, lengths), the key, then the value.
/// The key is kept so entries can be listed (prune, check) and a sha256 file-name collision is detected, not served.
/// The last use is not in the file but is the file's mtime, so a refresh is one utimensat and never
/// rewrites (and so never races with) a concurrent writer of the same key.
/// </summary>
internal readonly record struct IndexEntry(string Key, DateTimeOffset? AbsoluteExpiration, TimeSpan? SlidingExpiration, long ValueOffset, int ValueLength)
{
    private static ReadOnlySpan<byte> Magic => "ASHC"u8;
    private const byte Version = 1;
    private const long None = long.MinValue;

    /// <summary>magic(4) version(1) absolute-expiration-unix-ms(8) sliding-ms(8) key-length(4) value-length(4).</summary>
    private const int FixedSize = 4 + 1 + 8 + 8 + 4 + 4;

    /// <summary>Whether the entry, last used at <paramref name="lastUse"/>, has expired at <paramref name="now"/>.</summary>
    public bool IsExpired(DateTimeOffset lastUse, DateTimeOffset now) =>
        (AbsoluteExpiration is { } a && now >= a) || (SlidingExpiration is { } s && now - lastUse >= s);

    /// <summary>The header and key bytes that precede a value of <paramref name="valueLength"/> bytes.</summary>
    public static byte[] Header(string key, DateTimeOffset? absoluteExpiration, TimeSpan? sliding, int valueLength)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var header = new byte[FixedSize + keyBytes.Length];
        Magic.CopyTo(header);
        header[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(5), absoluteExpiration?.ToUnixTimeMilliseconds() ?? None);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(13), sliding is { } s ? (long)s.TotalMilliseconds : None);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(21), keyBytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(25), valueLength);
        keyBytes.CopyTo(header, FixedSize);
        return header;
    }

    /// <summary>Reads and checks the header of an open entry; throws <see cref="InvalidDataException"/> naming <paramref name="path"/>.</summary>
    public static async Task<IndexEntry> ReadAsync(SafeFileHandle handle, string path, CancellationToken cancellationToken)
    {
        var length = RandomAccess.GetLength(handle);
        var header = new byte[FixedSize];
        if (length < FixedSize || await RandomAccess.ReadAsync(handle, header, 0, cancellationToken) != FixedSize)
            throw new InvalidDataException($"cache index entry {path}: truncated ({length} bytes)");
        if (!header.AsSpan(0, 4).SequenceEqual(Magic))
            throw new InvalidDataException($"cache index entry {path}: not an index entry (bad magic)");
        if (header[4] != Version)
            throw new InvalidDataException($"cache index entry {path}: unsupported version {header[4]}");
        var absolute = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(5));
        var sliding = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(13));
        var keyLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(21));
        var valueLength = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(25));
        if (keyLength < 0 || valueLength < 0 || length != (long)FixedSize + keyLength + valueLength)
            throw new InvalidDataException($"cache index entry {path}: {length} bytes, header says {(long)FixedSize + keyLength + valueLength}");
        var key = new byte[keyLength];
        if (await RandomAccess.ReadAsync(handle, key, FixedSize, cancellationToken) != keyLength)
            throw new InvalidDataException($"cache index entry {path}: truncated key");
        return new IndexEntry(
            Encoding.UTF8.GetString(key),
            absolute == None ? null : DateTimeOffset.FromUnixTimeMilliseconds(absolute),
            sliding == None ? null : TimeSpan.FromMilliseconds(sliding),
            FixedSize + keyLength,
            valueLength);
    }
}
