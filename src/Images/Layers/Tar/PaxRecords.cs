using System.Globalization;
using System.Text;

namespace Ashlar.Images.Layers.Tar;

/// <summary>
/// pax extended header records (<c>"%d %s=%s\n"</c>, POSIX.1-2001 pax format), with values kept as raw bytes:
/// <c>SCHILY.xattr.*</c> values are binary (e.g. <c>security.capability</c>), which System.Formats.Tar would turn
/// into UTF-8 text and damage.
/// </summary>
internal static class PaxRecords
{
    public const string XattrPrefix = "SCHILY.xattr.";

    /// <summary>libarchive's form: the name percent-encoded, the value base64.</summary>
    public const string LibarchiveXattrPrefix = "LIBARCHIVE.xattr.";

    /// <summary>Parses the data of a pax header; keys in order, a later duplicate replacing an earlier one.</summary>
    public static Dictionary<string, byte[]> Parse(ReadOnlySpan<byte> data, long offset)
    {
        var records = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (data.Length > 0)
        {
            if (data.IndexOfAnyExcept((byte)0) < 0) break; // some writers pad the header data with NULs
            var space = data.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(data[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                || length <= space + 2 || length > data.Length || data[length - 1] != (byte)'\n')
                throw new InvalidDataException($"layer tar: malformed pax record in the extended header at offset {offset}");
            var record = data[(space + 1)..(length - 1)];
            var equals = record.IndexOf((byte)'=');
            if (equals <= 0)
                throw new InvalidDataException($"layer tar: malformed pax record (no key=value) in the extended header at offset {offset}");
            records[Encoding.UTF8.GetString(record[..equals])] = record[(equals + 1)..].ToArray();
            data = data[length..];
        }
        return records;
    }

    /// <summary>Appends one record; its length prefix counts itself.</summary>
    public static void Append(List<byte> output, string key, ReadOnlySpan<byte> value)
    {
        if (key.Contains('=') || key.Contains('\0'))
            throw new NotSupportedException($"pax key \"{key}\" cannot be written: it contains '=' or NUL");
        var keyBytes = Encoding.UTF8.GetByteCount(key);
        var body = 1 + keyBytes + 1 + value.Length + 1; // ' ' key '=' value '\n'
        var length = body + Digits(body);
        if (Digits(length) != Digits(body)) length++; // the prefix gained a digit by counting itself
        output.AddRange(Encoding.ASCII.GetBytes(length.ToString(CultureInfo.InvariantCulture)));
        output.Add((byte)' ');
        output.AddRange(Encoding.UTF8.GetBytes(key));
        output.Add((byte)'=');
        output.AddRange(value);
        output.Add((byte)'\n');
    }

    public static void Append(List<byte> output, string key, string value) => Append(output, key, Encoding.UTF8.GetBytes(value));

    /// <summary>The extended attributes among <paramref name="records"/>: SCHILY raw values, libarchive base64 ones.</summary>
    public static SortedDictionary<string, byte[]>? Xattrs(Dictionary<string, byte[]> records, long offset)
    {
        SortedDictionary<string, byte[]>? xattrs = null;
        foreach (var (key, value) in records)
        {
            if (key.StartsWith(LibarchiveXattrPrefix, StringComparison.Ordinal))
            {
                var name = Uri.UnescapeDataString(key[LibarchiveXattrPrefix.Length..]);
                xattrs ??= new(StringComparer.Ordinal);
                // SCHILY.xattr carries the same value raw; libarchive writes both, either will do.
                if (!xattrs.ContainsKey(name)) xattrs[name] = DecodeBase64(value, key, offset);
            }
            else if (key.StartsWith(XattrPrefix, StringComparison.Ordinal))
            {
                (xattrs ??= new(StringComparer.Ordinal))[key[XattrPrefix.Length..]] = value;
            }
        }
        return xattrs;
    }

    /// <summary>A pax time: decimal seconds since the epoch with an optional fraction (<c>1700000000.5</c>, <c>-1.25</c>).</summary>
    public static DateTimeOffset ParseTime(byte[] value, long offset)
    {
        var text = Encoding.ASCII.GetString(value);
        if (!decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
            throw new InvalidDataException($"layer tar: pax mtime \"{text}\" at offset {offset} is not a number");
        var ticks = decimal.Truncate(seconds * TimeSpan.TicksPerSecond);
        return DateTimeOffset.UnixEpoch.AddTicks((long)ticks);
    }

    /// <summary>Formats a time as pax does: whole seconds, or seconds and the fraction without trailing zeros.</summary>
    public static string FormatTime(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var remainder);
        if (remainder == 0) return seconds.ToString(CultureInfo.InvariantCulture);
        var sign = "";
        if (ticks < 0)
        {
            sign = "-";
            seconds = -seconds;
            remainder = -remainder;
        }
        return $"{sign}{seconds.ToString(CultureInfo.InvariantCulture)}.{(remainder * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0')}";
    }

    public static long ParseNumber(byte[] value, string key, long offset) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new InvalidDataException($"layer tar: pax {key} \"{Encoding.ASCII.GetString(value)}\" at offset {offset} is not a number");

    private static byte[] DecodeBase64(byte[] value, string key, long offset)
    {
        // libarchive leaves the '=' padding off.
        var text = Encoding.ASCII.GetString(value).TrimEnd('=');
        text = text.PadRight(text.Length + (4 - text.Length % 4) % 4, '=');
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"layer tar: pax {key} at offset {offset} is not base64");
        }
    }

    private static int Digits(int value) => value.ToString(CultureInfo.InvariantCulture).Length;
}
