using System.Buffers;
using System.Formats.Tar;
using System.Globalization;
using System.Text;
using Ashlar.Images.Layers.Tar;
using Ashlar.Images.Native;

namespace Ashlar.Images.Layers;

/// <summary>
/// Writes a layer tar deterministically: the same entries give the same bytes. Headers are plain ustar with empty
/// user/group names whenever they can be, a pax extended header only when needed (names that do not fit ustar's
/// name and prefix, long link targets, xattrs, large ids or sizes, sub-second mtimes). Xattr values are written
/// byte for byte as <c>SCHILY.xattr.*</c> records, binary ones such as <c>security.capability</c> included.
/// <see cref="AddTreeAsync"/> walks a directory in ordinal name order and writes repeated inodes as hard links.
/// </summary>
public sealed class LayerTarWriter : IAsyncDisposable, IDisposable
{
    private const int CopyBufferSize = 1 << 20;
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private static readonly byte[] Zeros = new byte[2 * TarBlock.Size];
    private readonly byte[] _header = new byte[TarBlock.Size];
    private readonly byte[] _paxHeader = new byte[TarBlock.Size];
    private bool _finished;

    /// <summary>Writes to <paramref name="output"/> (an uncompressed tar stream).</summary>
    public LayerTarWriter(Stream output, bool leaveOpen = true)
    {
        _output = output;
        _leaveOpen = leaveOpen;
    }

    /// <summary>A directory entry (<c>path/</c>).</summary>
    public Task AddDirectoryAsync(string path, LayerEntryMetadata metadata, CancellationToken cancellationToken = default) =>
        WriteHeaderAsync(TarEntryType.Directory, Name(path) + "/", metadata, cancellationToken: cancellationToken);

    /// <summary>A regular file; <paramref name="content"/> is read to its end (a seekable stream from its position).</summary>
    public async Task AddFileAsync(string path, Stream content, LayerEntryMetadata metadata, CancellationToken cancellationToken = default)
    {
        var name = Name(path);
        if (!content.CanSeek)
        {
            // The header needs the size before the data: a stream of unknown length is buffered first.
            var buffered = new MemoryStream();
            await content.CopyToAsync(buffered, cancellationToken);
            buffered.Position = 0;
            content = buffered;
        }
        var length = content.Length - content.Position;
        await WriteHeaderAsync(TarEntryType.RegularFile, name, metadata, size: length, cancellationToken: cancellationToken);
        await WriteDataAsync(name, content, length, cancellationToken);
    }

    /// <summary>A symlink to <paramref name="target"/> (stored as given).</summary>
    public Task AddSymlinkAsync(string path, string target, LayerEntryMetadata metadata, CancellationToken cancellationToken = default) =>
        WriteHeaderAsync(TarEntryType.SymbolicLink, Name(path), metadata with { Mode = (UnixFileMode)0x1ff }, target, cancellationToken: cancellationToken);

    /// <summary>A hard link to an earlier entry <paramref name="target"/>.</summary>
    public Task AddHardLinkAsync(string path, string target, LayerEntryMetadata metadata, CancellationToken cancellationToken = default) =>
        WriteHeaderAsync(TarEntryType.HardLink, Name(path), metadata, Name(target), cancellationToken: cancellationToken);

    /// <summary>A character or block device, or a fifo (device numbers ignored).</summary>
    public Task AddSpecialAsync(string path, TarEntryType type, int major, int minor, LayerEntryMetadata metadata, CancellationToken cancellationToken = default)
    {
        if (type is not (TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo))
            throw new ArgumentException($"{type} is not a device or fifo", nameof(type));
        return type == TarEntryType.Fifo
            ? WriteHeaderAsync(type, Name(path), metadata, cancellationToken: cancellationToken)
            : WriteHeaderAsync(type, Name(path), metadata, device: (major, minor), cancellationToken: cancellationToken);
    }

    /// <summary>An OCI whiteout hiding <paramref name="path"/> of lower layers (<c>dir/.wh.name</c>).</summary>
    public Task AddWhiteoutAsync(string path, CancellationToken cancellationToken = default)
    {
        var (parent, name) = LayerPath.Split(Name(path));
        var whiteout = parent.Length == 0 ? ".wh." + name : $"{parent}/.wh.{name}";
        return WriteHeaderAsync(TarEntryType.RegularFile, whiteout, LayerEntryMetadata.DefaultFile with { Mode = 0 }, cancellationToken: cancellationToken);
    }

    /// <summary>An OCI opaque whiteout: <paramref name="directory"/> hides everything lower layers had in it.</summary>
    public Task AddOpaqueAsync(string directory, CancellationToken cancellationToken = default)
    {
        var name = Name(directory);
        return WriteHeaderAsync(TarEntryType.RegularFile, name.Length == 0 ? ".wh..wh..opq" : name + "/.wh..wh..opq",
            LayerEntryMetadata.DefaultFile with { Mode = 0 }, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Adds everything under <paramref name="sourceDirectory"/> as <paramref name="targetPrefix"/>/..., in ordinal
    /// order, directories before their contents. Sockets are skipped (docker does the same).
    /// </summary>
    public async Task AddTreeAsync(string sourceDirectory, string targetPrefix = "", LayerTreeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LayerTreeOptions();
        var inodes = new Dictionary<(uint, uint, ulong), string>();
        await AddChildrenAsync(Path.GetFullPath(sourceDirectory), Name(targetPrefix), "", options, inodes, cancellationToken);
    }

    private async Task AddChildrenAsync(string directory, string prefix, string relative, LayerTreeOptions options, Dictionary<(uint, uint, ulong), string> inodes, CancellationToken cancellationToken)
    {
        var names = Directory.EnumerateFileSystemEntries(directory).Select(p => Path.GetFileName(p)!).ToList();
        names.Sort(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var source = Path.Combine(directory, name);
            var rel = relative.Length == 0 ? name : $"{relative}/{name}";
            if (options.Exclude?.Invoke(rel) == true) continue;
            var target = prefix.Length == 0 ? rel : $"{prefix}/{rel}";
            if (LibC.StatxAt(LibC.AT_FDCWD, source, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) != 0)
                throw LibC.Failure($"stat {source}");
            var type = stat.Mode & LibC.S_IFMT;
            var xattrs = options.IncludeXattrs ? ReadXattrs(source) : null;
            var metadata = new LayerEntryMetadata(
                (UnixFileMode)(stat.Mode & 0xfff),
                options.Uid ?? (int)stat.Uid,
                options.Gid ?? (int)stat.Gid,
                options.FixedModificationTime ?? DateTimeOffset.FromUnixTimeSeconds(stat.ModifyTime.Seconds).AddTicks(stat.ModifyTime.Nanoseconds / 100),
                xattrs);

            switch (type)
            {
                case LibC.S_IFDIR:
                    var opaque = options.OverlayWhiteouts && xattrs is not null && xattrs.TryGetValue("trusted.overlay.opaque", out var o) && o is [(byte)'y'];
                    await AddDirectoryAsync(target, WithoutOverlayXattrs(metadata), cancellationToken);
                    if (opaque) await AddOpaqueAsync(target, cancellationToken);
                    await AddChildrenAsync(source, prefix, rel, options, inodes, cancellationToken);
                    break;
                case LibC.S_IFREG:
                    var key = (stat.DevMajor, stat.DevMinor, stat.Inode);
                    if (stat.LinkCount > 1 && inodes.TryGetValue(key, out var first))
                    {
                        await AddHardLinkAsync(target, first, metadata, cancellationToken);
                        break;
                    }
                    if (stat.LinkCount > 1) inodes[key] = target;
                    await using (var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan))
                        await AddFileAsync(target, file, metadata, cancellationToken);
                    break;
                case LibC.S_IFLNK:
                    await AddSymlinkAsync(target, new FileInfo(source).LinkTarget ?? "", metadata, cancellationToken);
                    break;
                case LibC.S_IFCHR when options.OverlayWhiteouts && stat.RdevMajor == 0 && stat.RdevMinor == 0:
                    await AddWhiteoutAsync(target, cancellationToken);
                    break;
                case LibC.S_IFCHR:
                    await AddSpecialAsync(target, TarEntryType.CharacterDevice, (int)stat.RdevMajor, (int)stat.RdevMinor, metadata, cancellationToken);
                    break;
                case LibC.S_IFBLK:
                    await AddSpecialAsync(target, TarEntryType.BlockDevice, (int)stat.RdevMajor, (int)stat.RdevMinor, metadata, cancellationToken);
                    break;
                case LibC.S_IFIFO:
                    await AddSpecialAsync(target, TarEntryType.Fifo, 0, 0, metadata, cancellationToken);
                    break;
            }
        }
    }

    private static LayerEntryMetadata WithoutOverlayXattrs(LayerEntryMetadata metadata) =>
        metadata.Xattrs is null ? metadata : metadata with
        {
            Xattrs = metadata.Xattrs.Where(x => !x.Key.StartsWith("trusted.overlay.", StringComparison.Ordinal)).ToDictionary(x => x.Key, x => x.Value),
        };

    private static Dictionary<string, byte[]>? ReadXattrs(string path)
    {
        var xattrs = LibC.ListXattrs(path);
        return xattrs.Count == 0 ? null : xattrs.ToDictionary(x => x.Key, x => x.Value);
    }

    private static string Name(string path) => LayerPath.Clean(path, "layer path");

    /// <summary>Writes an entry's header, preceded by a pax extended header when ustar cannot hold it.</summary>
    private async Task WriteHeaderAsync(TarEntryType type, string name, LayerEntryMetadata metadata, string? linkName = null,
        long size = 0, (int Major, int Minor)? device = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var mtime = metadata.ModificationTime == default ? DateTimeOffset.UnixEpoch : metadata.ModificationTime;
        var seconds = mtime.ToUnixTimeSeconds();
        var records = new List<byte>();
        var header = _header.AsSpan();
        header.Clear();

        if (!TryWriteName(header, name)) PaxRecords.Append(records, "path", name); // the header keeps what fits
        if (linkName is not null && !TarBlock.TryWriteString(header.Slice(TarBlock.LinkNameOffset, TarBlock.LinkNameLength), linkName))
            PaxRecords.Append(records, "linkpath", linkName);
        if (metadata.Uid is < 0 or > (int)TarBlock.MaxSmallOctal) PaxRecords.Append(records, "uid", metadata.Uid.ToString(CultureInfo.InvariantCulture));
        if (metadata.Gid is < 0 or > (int)TarBlock.MaxSmallOctal) PaxRecords.Append(records, "gid", metadata.Gid.ToString(CultureInfo.InvariantCulture));
        if (size > TarBlock.MaxLargeOctal) PaxRecords.Append(records, "size", size.ToString(CultureInfo.InvariantCulture));
        if (mtime.UtcTicks % TimeSpan.TicksPerSecond != 0 || seconds is < 0 or > TarBlock.MaxLargeOctal)
            PaxRecords.Append(records, "mtime", PaxRecords.FormatTime(mtime));
        if (metadata.Xattrs is not null)
            foreach (var (key, value) in metadata.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal))
                PaxRecords.Append(records, PaxRecords.XattrPrefix + key, value);

        if (records.Count > 0)
        {
            var pax = records.ToArray();
            var (directory, file) = LayerPath.Split(name.TrimEnd('/'));
            // The name Go's archive/tar gives pax headers; readers ignore it.
            Array.Clear(_paxHeader);
            FillHeader(_paxHeader, TarEntryType.ExtendedAttributes, directory.Length == 0 ? "PaxHeaders.0/" + file : $"{directory}/PaxHeaders.0/{file}",
                (UnixFileMode)0x1a4, 0, 0, 0, pax.Length, null);
            await _output.WriteAsync(_paxHeader, cancellationToken);
            await _output.WriteAsync(pax, cancellationToken);
            await WritePaddingAsync(pax.Length, cancellationToken);
        }
        FillHeader(_header, type, null, metadata.Mode, Clamp(metadata.Uid), Clamp(metadata.Gid), Math.Clamp(seconds, 0, TarBlock.MaxLargeOctal),
            Math.Min(size, TarBlock.MaxLargeOctal), device);
        await _output.WriteAsync(_header, cancellationToken);
    }

    private static int Clamp(int id) => id is < 0 or > (int)TarBlock.MaxSmallOctal ? 0 : id;

    /// <summary>The ustar fields; the name (and link name) already in place unless <paramref name="name"/> is given (then cut at 100 bytes).</summary>
    private static void FillHeader(Span<byte> header, TarEntryType type, string? name, UnixFileMode mode, int uid, int gid, long mtime, long size,
        (int Major, int Minor)? device)
    {
        if (name is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(name);
            bytes.AsSpan(0, Math.Min(bytes.Length, TarBlock.NameLength)).CopyTo(header);
        }
        TarBlock.WriteNumber(header.Slice(TarBlock.ModeOffset, TarBlock.SmallNumberLength), (int)mode & 0xfff);
        TarBlock.WriteNumber(header.Slice(TarBlock.UidOffset, TarBlock.SmallNumberLength), uid);
        TarBlock.WriteNumber(header.Slice(TarBlock.GidOffset, TarBlock.SmallNumberLength), gid);
        TarBlock.WriteNumber(header.Slice(TarBlock.SizeOffset, TarBlock.SizeLength), size);
        TarBlock.WriteNumber(header.Slice(TarBlock.MtimeOffset, TarBlock.MtimeLength), mtime);
        header[TarBlock.TypeOffset] = (byte)type;
        TarBlock.UstarMagic.CopyTo(header[TarBlock.MagicOffset..]);
        TarBlock.WriteNumber(header.Slice(TarBlock.DevMajorOffset, TarBlock.SmallNumberLength), device?.Major ?? 0);
        TarBlock.WriteNumber(header.Slice(TarBlock.DevMinorOffset, TarBlock.SmallNumberLength), device?.Minor ?? 0);
        TarBlock.WriteChecksum(header);
    }

    /// <summary>The name in the name field, or split at a slash into prefix and name; false when it fits neither way.</summary>
    private static bool TryWriteName(Span<byte> header, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        if (bytes.Length <= TarBlock.NameLength)
        {
            bytes.CopyTo(header);
            return true;
        }
        // The last slash that leaves at most 100 bytes of name and at most 155 of prefix (a directory's own trailing
        // slash stays with the name).
        for (var slash = Array.LastIndexOf(bytes, (byte)'/', bytes.Length - 2); slash > 0; slash = Array.LastIndexOf(bytes, (byte)'/', slash - 1))
        {
            if (bytes.Length - slash - 1 > TarBlock.NameLength) break;
            if (slash > TarBlock.PrefixLength) continue;
            bytes.AsSpan(slash + 1).CopyTo(header);
            bytes.AsSpan(0, slash).CopyTo(header[TarBlock.PrefixOffset..]);
            return true;
        }
        bytes.AsSpan(0, TarBlock.NameLength).CopyTo(header);
        return false;
    }

    private async Task WriteDataAsync(string name, Stream content, long length, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(length, 1, CopyBufferSize));
        try
        {
            var remaining = length;
            while (remaining > 0)
            {
                var n = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
                if (n == 0) throw new IOException($"layer entry \"{name}\": the file shrank while it was being written to the layer ({length - remaining} of {length} bytes)");
                await _output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                remaining -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        await WritePaddingAsync(length, cancellationToken);
    }

    private ValueTask WritePaddingAsync(long size, CancellationToken cancellationToken)
    {
        var padding = TarBlock.Padding(size);
        if (padding == 0) return ValueTask.CompletedTask;
        return _output.WriteAsync(Zeros.AsMemory(0, padding), cancellationToken);
    }

    /// <summary>Writes the end-of-archive blocks (two zero blocks).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_finished) return;
        _finished = true;
        await _output.WriteAsync(Zeros);
        await _output.FlushAsync();
        if (!_leaveOpen) await _output.DisposeAsync();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_finished) return;
        _finished = true;
        _output.Write(Zeros);
        _output.Flush();
        if (!_leaveOpen) _output.Dispose();
    }
}
