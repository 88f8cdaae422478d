using System.Buffers;
using System.Text;

namespace Ashlar.Executor.Diff;

/// <summary>
/// Writes tar entries in the form Docker's layers use: ustar headers, with a PAX extended header in front when
/// a name, link target, id or size does not fit, or to carry xattrs (<c>SCHILY.xattr.*</c>). Every field is
/// derived from the entry alone (no uname/gname, no atime/ctime), so the same tree always gives the same bytes.
/// </summary>
internal sealed class TarEntryWriter(Stream output)
{
    private const int BlockSize = 512;
    private static readonly byte[] Zeros = new byte[BlockSize * 2];

    public async Task WriteHeaderAsync(TarEntryHeader entry, CancellationToken cancellationToken)
    {
        var pax = new List<(string Key, byte[] Value)>();
        var nameBytes = Encoding.UTF8.GetBytes(entry.Name);
        var (prefix, name) = SplitName(nameBytes);
        if (name is null) pax.Add(("path", nameBytes));
        var linkBytes = Encoding.UTF8.GetBytes(entry.LinkName ?? "");
        if (linkBytes.Length > 100) pax.Add(("linkpath", linkBytes));
        if (entry.Size > 077777777777L) pax.Add(("size", Ascii(entry.Size.ToString())));
        if (entry.Uid > 07777777) pax.Add(("uid", Ascii(entry.Uid.ToString())));
        if (entry.Gid > 07777777) pax.Add(("gid", Ascii(entry.Gid.ToString())));
        foreach (var (key, value) in entry.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal))
            pax.Add(("SCHILY.xattr." + key, value));

        if (pax.Count > 0)
        {
            var records = PaxRecords(pax);
            var paxName = "PaxHeaders.0/" + Path.GetFileName(entry.Name.TrimEnd('/'));
            await WriteBlockAsync(Header(Encoding.UTF8.GetBytes(paxName.Length > 100 ? paxName[..100] : paxName), [], 'x', 0x1A4, 0, 0, records.Length, entry.ModifiedSeconds, [], 0, 0), cancellationToken);
            await output.WriteAsync(records, cancellationToken);
            await PadAsync(records.Length, cancellationToken);
        }

        var header = Header(name ?? Truncate(nameBytes, 100), prefix ?? [], entry.Type, entry.Mode,
            Math.Min(entry.Uid, 07777777), Math.Min(entry.Gid, 07777777), entry.Size > 077777777777L ? 0 : entry.Size,
            entry.ModifiedSeconds, Truncate(linkBytes, 100), entry.DeviceMajor, entry.DeviceMinor);
        await WriteBlockAsync(header, cancellationToken);
    }

    /// <summary>Writes file content that follows a header, then pads it to a whole block.</summary>
    public async Task WriteContentAsync(Stream content, long size, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            var left = size;
            while (left > 0)
            {
                var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken);
                if (read == 0) throw new IOException($"file shrank while being archived ({left} of {size} bytes missing)");
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                left -= read;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(buffer); }
        await PadAsync(size, cancellationToken);
    }

    /// <summary>The end-of-archive marker: two zero blocks.</summary>
    public Task FinishAsync(CancellationToken cancellationToken) => output.WriteAsync(Zeros, cancellationToken).AsTask();

    private Task PadAsync(long size, CancellationToken cancellationToken)
    {
        var remainder = (int)(size % BlockSize);
        return remainder == 0 ? Task.CompletedTask : output.WriteAsync(Zeros.AsMemory(0, BlockSize - remainder), cancellationToken).AsTask();
    }

    private Task WriteBlockAsync(byte[] block, CancellationToken cancellationToken) => output.WriteAsync(block, cancellationToken).AsTask();

    /// <summary>ustar keeps up to 155 bytes of directories in "prefix" and 100 in "name".</summary>
    private static (byte[]? Prefix, byte[]? Name) SplitName(byte[] path)
    {
        if (path.Length <= 100) return ([], path);
        for (var i = Math.Min(path.Length - 1, 155); i > 0; i--)
            if (path[i] == '/' && path.Length - i - 1 <= 100 && path.Length - i - 1 > 0)
                return (path[..i], path[(i + 1)..]);
        return (null, null);
    }

    private static byte[] Header(byte[] name, byte[] prefix, char type, uint mode, long uid, long gid, long size,
        long mtime, byte[] link, uint major, uint minor)
    {
        var h = new byte[BlockSize];
        name.CopyTo(h, 0);
        Octal(h, 100, 8, mode & 0xFFF);
        Octal(h, 108, 8, uid);
        Octal(h, 116, 8, gid);
        Octal(h, 124, 12, size);
        Octal(h, 136, 12, Math.Max(0, mtime));
        h[156] = (byte)type;
        link.CopyTo(h, 157);
        "ustar\0"u8.CopyTo(h.AsSpan(257));
        "00"u8.CopyTo(h.AsSpan(263));
        if (type is '3' or '4')
        {
            Octal(h, 329, 8, major);
            Octal(h, 337, 8, minor);
        }
        prefix.CopyTo(h, 345);
        // The checksum is computed with its own field as spaces.
        "        "u8.CopyTo(h.AsSpan(148));
        var sum = 0;
        foreach (var b in h) sum += b;
        Octal(h, 148, 7, sum);
        return h;
    }

    /// <summary>A zero-padded octal number ending in NUL, filling <paramref name="length"/> bytes.</summary>
    private static void Octal(byte[] h, int offset, int length, long value)
    {
        var text = Convert.ToString(value, 8).PadLeft(length - 1, '0');
        Encoding.ASCII.GetBytes(text, 0, length - 1, h, offset);
        h[offset + length - 1] = 0;
    }

    /// <summary>PAX records "&lt;len&gt; key=value\n", where len counts the whole record including itself.</summary>
    private static byte[] PaxRecords(List<(string Key, byte[] Value)> records)
    {
        using var buffer = new MemoryStream();
        foreach (var (key, value) in records)
        {
            var body = Encoding.UTF8.GetByteCount(key) + value.Length + 3; // ' ', '=', '\n'
            var length = body + body.ToString().Length;
            if (length.ToString().Length != body.ToString().Length) length = body + length.ToString().Length;
            buffer.Write(Ascii($"{length} {key}="));
            buffer.Write(value);
            buffer.WriteByte((byte)'\n');
        }
        return buffer.ToArray();
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
    private static byte[] Truncate(byte[] bytes, int length) => bytes.Length <= length ? bytes : bytes[..length];
}
