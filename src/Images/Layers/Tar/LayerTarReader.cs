using System.Buffers;
using System.Formats.Tar;
using System.Text;

namespace Ashlar.Images.Layers.Tar;

/// <summary>
/// Reads a tar stream entry by entry: ustar, pax (local and global extended headers, raw-byte xattr values), GNU
/// long names and links, base-256 numbers, old V7 tars. Each entry's data is read straight from the archive stream,
/// so it must be consumed (or is skipped) before the next entry. Sparse files are refused with a clear error.
/// </summary>
internal sealed class LayerTarReader(Stream archive)
{
    private const int MaxMetadataSize = 1 << 20; // pax records and GNU long names: far beyond any real path
    private readonly byte[] _block = new byte[TarBlock.Size];
    private Dictionary<string, byte[]> _global = new(StringComparer.Ordinal);
    private EntryDataStream? _current;
    private long _offset;
    private bool _ended;

    /// <summary>The next entry, or null at the end of the archive.</summary>
    public async Task<LayerTarEntry?> GetNextEntryAsync(CancellationToken cancellationToken = default)
    {
        if (_ended) return null;
        await SkipCurrentAsync(cancellationToken);

        Dictionary<string, byte[]>? pax = null;
        string? longName = null, longLink = null;
        while (true)
        {
            var headerOffset = _offset;
            if (!await ReadBlockAsync(cancellationToken) || TarBlock.IsZero(_block))
            {
                _ended = true; // two zero blocks end a tar; a missing second one (or none at all) is tolerated as GNU tar does
                return null;
            }
            if (!TarBlock.ChecksumMatches(_block, headerOffset))
                throw new InvalidDataException($"layer tar: the header at offset {headerOffset} has a bad checksum (not a tar, or corrupted)");

            var type = (TarEntryType)_block[TarBlock.TypeOffset];
            var size = TarBlock.ReadNumber(_block.AsSpan(TarBlock.SizeOffset, TarBlock.SizeLength), "size", headerOffset);
            if (pax is not null && pax.TryGetValue("size", out var paxSize)) size = PaxRecords.ParseNumber(paxSize, "size", headerOffset);
            if (size < 0) throw new InvalidDataException($"layer tar: the header at offset {headerOffset} has a negative size");

            switch (type)
            {
                case TarEntryType.ExtendedAttributes:
                    pax = PaxRecords.Parse(await ReadMetadataAsync(size, "pax header", headerOffset, cancellationToken), headerOffset);
                    continue;
                case TarEntryType.GlobalExtendedAttributes:
                    foreach (var (key, value) in PaxRecords.Parse(await ReadMetadataAsync(size, "pax global header", headerOffset, cancellationToken), headerOffset))
                        _global[key] = value;
                    continue;
                case TarEntryType.LongPath:
                    longName = CString(await ReadMetadataAsync(size, "GNU long name", headerOffset, cancellationToken));
                    continue;
                case TarEntryType.LongLink:
                    longLink = CString(await ReadMetadataAsync(size, "GNU long link", headerOffset, cancellationToken));
                    continue;
            }
            return ParseEntry(type, size, pax, longName, longLink, headerOffset);
        }
    }

    private LayerTarEntry ParseEntry(TarEntryType type, long size, Dictionary<string, byte[]>? local, string? longName, string? longLink, long offset)
    {
        // Global records first, local ones over them; path, linkpath and size only ever apply to one entry.
        var records = new Dictionary<string, byte[]>(_global, StringComparer.Ordinal);
        records.Remove("path");
        records.Remove("linkpath");
        if (local is not null)
            foreach (var (key, value) in local) records[key] = value;
        if (records.Keys.Any(k => k.StartsWith("GNU.sparse.", StringComparison.Ordinal)) || type == TarEntryType.SparseFile)
            throw new InvalidDataException($"layer tar: the entry at offset {offset} is a GNU sparse file, which layers do not support");

        var block = _block.AsSpan();
        var name = TarBlock.ReadString(block.Slice(TarBlock.NameOffset, TarBlock.NameLength));
        if (block.Slice(TarBlock.MagicOffset, 8).SequenceEqual(TarBlock.UstarMagic))
        {
            var prefix = TarBlock.ReadString(block.Slice(TarBlock.PrefixOffset, TarBlock.PrefixLength));
            if (prefix.Length > 0) name = prefix + "/" + name;
        }
        name = longName ?? name;
        if (records.TryGetValue("path", out var path)) name = Encoding.UTF8.GetString(path);
        var linkName = longLink ?? TarBlock.ReadString(block.Slice(TarBlock.LinkNameOffset, TarBlock.LinkNameLength));
        if (records.TryGetValue("linkpath", out var linkPath)) linkName = Encoding.UTF8.GetString(linkPath);

        // Old tars mark directories only by a trailing slash; GNU dumpdir entries are directories with a listing.
        if (type is TarEntryType.V7RegularFile or TarEntryType.RegularFile && name.EndsWith('/')) type = TarEntryType.Directory;
        if (type == TarEntryType.DirectoryList) type = TarEntryType.Directory;

        long Number(int fieldOffset, int length, string key) =>
            records.TryGetValue(key, out var value) ? PaxRecords.ParseNumber(value, key, offset)
                : TarBlock.ReadNumber(_block.AsSpan(fieldOffset, length), key, offset);

        var mtime = records.TryGetValue("mtime", out var paxTime)
            ? PaxRecords.ParseTime(paxTime, offset)
            : DateTimeOffset.FromUnixTimeSeconds(TarBlock.ReadNumber(block.Slice(TarBlock.MtimeOffset, TarBlock.MtimeLength), "mtime", offset));
        var hasData = type is TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile;
        _current = new EntryDataStream(archive, size);
        _offset += size;
        return new LayerTarEntry
        {
            Name = name,
            EntryType = type,
            LinkName = linkName,
            Mode = (UnixFileMode)(TarBlock.ReadNumber(block.Slice(TarBlock.ModeOffset, TarBlock.SmallNumberLength), "mode", offset) & 0xfff),
            Uid = checked((int)Number(TarBlock.UidOffset, TarBlock.SmallNumberLength, "uid")),
            Gid = checked((int)Number(TarBlock.GidOffset, TarBlock.SmallNumberLength, "gid")),
            ModificationTime = mtime,
            DeviceMajor = (int)TarBlock.ReadNumber(block.Slice(TarBlock.DevMajorOffset, TarBlock.SmallNumberLength), "devmajor", offset),
            DeviceMinor = (int)TarBlock.ReadNumber(block.Slice(TarBlock.DevMinorOffset, TarBlock.SmallNumberLength), "devminor", offset),
            Length = hasData ? size : 0,
            Xattrs = PaxRecords.Xattrs(records, offset),
            DataStream = hasData ? _current : Stream.Null,
        };
    }

    /// <summary>Skips what is left of the current entry's data and its padding.</summary>
    private async Task SkipCurrentAsync(CancellationToken cancellationToken)
    {
        if (_current is null) return;
        var length = _current.Length;
        var remaining = _current.Remaining + TarBlock.Padding(length);
        _current = null;
        if (remaining == 0) return;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(remaining, 1 << 16));
        try
        {
            while (remaining > 0)
            {
                var n = await archive.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (n == 0) throw new EndOfStreamException("layer tar: the archive ends inside an entry's data (truncated layer)");
                remaining -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _offset += TarBlock.Padding(length);
    }

    private async Task<bool> ReadBlockAsync(CancellationToken cancellationToken)
    {
        var read = await archive.ReadAtLeastAsync(_block, TarBlock.Size, throwOnEndOfStream: false, cancellationToken);
        if (read == 0) return false;
        if (read < TarBlock.Size) throw new EndOfStreamException($"layer tar: the archive ends inside the header at offset {_offset} (truncated layer)");
        _offset += TarBlock.Size;
        return true;
    }

    private async Task<byte[]> ReadMetadataAsync(long size, string what, long offset, CancellationToken cancellationToken)
    {
        if (size > MaxMetadataSize) throw new InvalidDataException($"layer tar: the {what} at offset {offset} is {size} bytes, more than {MaxMetadataSize}");
        var data = new byte[size];
        await archive.ReadExactlyAsync(data, cancellationToken);
        var padding = TarBlock.Padding(size);
        if (padding > 0) await archive.ReadExactlyAsync(_block.AsMemory(0, padding), cancellationToken);
        _offset += size + padding;
        return data;
    }

    private static string CString(byte[] data)
    {
        var end = Array.IndexOf(data, (byte)0);
        return Encoding.UTF8.GetString(data, 0, end < 0 ? data.Length : end);
    }
}
