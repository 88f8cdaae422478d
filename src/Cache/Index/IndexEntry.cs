using System.Buffers.Binary;

namespace Ashlar.Cache.Index;

/// <summary>
/// The on-disk form of one index entry: a fixed header (magic, version, expiration) then the value.
/// The last use is not in the file but is the file's mtime, so a refresh is one utimensat and never
/// rewrites (and so never races with) a concurrent writer of the same key.
/// </summary>
internal static class IndexEntry
{
    private static ReadOnlySpan<byte> Magic => "ASHC"u8;
    private const byte Version = 1;
    private const long None = long.MinValue;

    /// <summary>magic(4) version(1) absolute-expiration-unix-ms(8) sliding-ms(8) value-length(8).</summary>
    public const int HeaderSize = 4 + 1 + 8 + 8 + 8;

    public static byte[] Header(DateTimeOffset? absoluteExpiration, TimeSpan? sliding, int valueLength)
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        header[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(5), absoluteExpiration?.ToUnixTimeMilliseconds() ?? None);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(13), sliding is { } s ? (long)s.TotalMilliseconds : None);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(21), valueLength);
        return header;
    }

    /// <summary>Reads the header; throws <see cref="InvalidDataException"/> naming <paramref name="path"/> if it is not one.</summary>
    public static (DateTimeOffset? Absolute, TimeSpan? Sliding, long ValueLength) ReadHeader(ReadOnlySpan<byte> header, string path)
    {
        if (header.Length < HeaderSize || !header[..4].SequenceEqual(Magic))
            throw new InvalidDataException($"cache index entry {path}: not an index entry (bad magic)");
        if (header[4] != Version)
            throw new InvalidDataException($"cache index entry {path}: unsupported version {header[4]}");
        var absolute = BinaryPrimitives.ReadInt64LittleEndian(header[5..]);
        var sliding = BinaryPrimitives.ReadInt64LittleEndian(header[13..]);
        var length = BinaryPrimitives.ReadInt64LittleEndian(header[21..]);
        if (length < 0 || length > int.MaxValue)
            throw new InvalidDataException($"cache index entry {path}: invalid value length {length}");
        return (absolute == None ? null : DateTimeOffset.FromUnixTimeMilliseconds(absolute),
                sliding == None ? null : TimeSpan.FromMilliseconds(sliding),
                length);
    }

    /// <summary>Whether an entry last used at <paramref name="lastUse"/> has expired at <paramref name="now"/>.</summary>
    public static bool IsExpired(DateTimeOffset? absolute, TimeSpan? sliding, DateTimeOffset lastUse, DateTimeOffset now) =>
        (absolute is { } a && now >= a) || (sliding is { } s && now - lastUse >= s);
}
