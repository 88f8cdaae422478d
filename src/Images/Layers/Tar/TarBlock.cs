using System.Buffers.Binary;
using System.Text;

namespace Ashlar.Images.Layers.Tar;

/// <summary>
/// The 512-byte ustar header block (POSIX.1-1988 as extended by pax and GNU tar): field offsets, octal and
/// base-256 numbers, the checksum. Shared by <see cref="LayerTarReader"/> and <see cref="LayerTarWriter"/>.
/// </summary>
internal static class TarBlock
{
    public const int Size = 512;

    // Field offsets and lengths of the ustar header.
    public const int NameOffset = 0, NameLength = 100;
    public const int ModeOffset = 100;
    public const int UidOffset = 108;
    public const int GidOffset = 116;
    public const int SizeOffset = 124, SizeLength = 12;
    public const int MtimeOffset = 136, MtimeLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeOffset = 156;
    public const int LinkNameOffset = 157, LinkNameLength = 100;
    public const int MagicOffset = 257;
    public const int DevMajorOffset = 329;
    public const int DevMinorOffset = 337;
    public const int PrefixOffset = 345, PrefixLength = 155;
    public const int SmallNumberLength = 8; // mode, uid, gid, devmajor, devminor: 7 octal digits and a NUL

    /// <summary>The largest value 7 octal digits hold (mode, uid, gid, device numbers).</summary>
    public const long MaxSmallOctal = 0x1FFFFF;

    /// <summary>The largest value 11 octal digits hold (size, mtime): 8 GiB - 1.</summary>
    public const long MaxLargeOctal = 0x1FFFFFFFF;

    /// <summary>"ustar\0" "00": POSIX ustar, whose prefix field extends the name.</summary>
    public static ReadOnlySpan<byte> UstarMagic => "ustar\u000000"u8;

    /// <summary>"ustar  \0": GNU tar's own format, whose prefix area holds atime/ctime instead.</summary>
    public static ReadOnlySpan<byte> GnuMagic => "ustar  \0"u8;

    public static bool IsZero(ReadOnlySpan<byte> block) => !block.ContainsAnyExcept((byte)0);

    /// <summary>Writes <paramref name="value"/> as zero-padded octal with a trailing NUL, or base-256 when it does not fit.</summary>
    public static void WriteNumber(Span<byte> field, long value)
    {
        var digits = field.Length - 1;
        if (value >= 0 && value < 1L << (3 * digits))
        {
            for (var i = digits - 1; i >= 0; i--)
            {
                field[i] = (byte)('0' + (value & 7));
                value >>= 3;
            }
            field[digits] = 0;
            return;
        }
        // GNU base-256: the high bit of the first byte set, the rest a big-endian two's complement number.
        field.Fill(value < 0 ? (byte)0xff : (byte)0);
        BinaryPrimitives.WriteInt64BigEndian(field[^8..], value);
        field[0] |= 0x80;
    }

    /// <summary>Reads an octal (space/NUL terminated) or base-256 number.</summary>
    public static long ReadNumber(ReadOnlySpan<byte> field, string what, long offset)
    {
        if (field.Length > 0 && (field[0] & 0x80) != 0)
        {
            // Base-256 (GNU): big-endian two's complement after the marker bit; decoded as Go's archive/tar does.
            var invert = (field[0] & 0x40) != 0 ? (byte)0xff : (byte)0;
            ulong x = 0;
            for (var i = 0; i < field.Length; i++)
            {
                var b = (byte)(field[i] ^ invert);
                if (i == 0) b &= 0x7f;
                if (x >> 56 != 0) throw new InvalidDataException($"layer tar: header at offset {offset}: {what} does not fit 64 bits");
                x = x << 8 | b;
            }
            if (x >> 63 != 0) throw new InvalidDataException($"layer tar: header at offset {offset}: {what} does not fit 64 bits");
            return invert == 0xff ? ~(long)x : (long)x;
        }
        var start = 0;
        while (start < field.Length && field[start] is (byte)' ' or 0) start++;
        long result = 0;
        for (var i = start; i < field.Length && field[i] is not ((byte)' ' or 0); i++)
        {
            if (field[i] is < (byte)'0' or > (byte)'7')
                throw new InvalidDataException($"layer tar: header at offset {offset}: {what} is not an octal number");
            result = result << 3 | (long)(field[i] - '0');
        }
        return result;
    }

    /// <summary>Writes the checksum of a finished header (the checksum field counted as spaces).</summary>
    public static void WriteChecksum(Span<byte> block)
    {
        block.Slice(ChecksumOffset, ChecksumLength).Fill((byte)' ');
        var sum = 0;
        foreach (var b in block) sum += b;
        // Six octal digits, NUL, space: the form GNU tar and Go write.
        WriteNumber(block.Slice(ChecksumOffset, 7), sum);
        block[ChecksumOffset + 7] = (byte)' ';
    }

    /// <summary>Whether the stored checksum matches, as unsigned or (old tars) signed byte sums.</summary>
    public static bool ChecksumMatches(ReadOnlySpan<byte> block, long offset)
    {
        var stored = ReadNumber(block.Slice(ChecksumOffset, ChecksumLength), "checksum", offset);
        long unsigned = 0, signed = 0;
        for (var i = 0; i < Size; i++)
        {
            var b = i is >= ChecksumOffset and < ChecksumOffset + ChecksumLength ? (byte)' ' : block[i];
            unsigned += b;
            signed += (sbyte)b;
        }
        return stored == unsigned || stored == signed;
    }

    /// <summary>A NUL-terminated text field, as UTF-8.</summary>
    public static string ReadString(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    /// <summary>Writes UTF-8 text into a field when it fits (a NUL follows when there is room); false when it does not.</summary>
    public static bool TryWriteString(Span<byte> field, string text)
    {
        if (Encoding.UTF8.GetByteCount(text) > field.Length) return false;
        Encoding.UTF8.GetBytes(text, field);
        return true;
    }

    /// <summary>Bytes of zero padding after <paramref name="size"/> bytes of data.</summary>
    public static int Padding(long size) => (int)((Size - size % Size) % Size);
}
