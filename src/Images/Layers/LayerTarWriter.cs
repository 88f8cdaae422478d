using System.Formats.Tar;
using System.Text;
using Ashlar.Images.Native;

namespace Ashlar.Images.Layers;

/// <summary>
/// Writes a layer tar deterministically: the same entries give the same bytes. Headers are plain ustar with empty
/// user/group names whenever they can be, PAX only when needed (long names, xattrs, large ids, sub-second mtimes);
/// <see cref="AddTreeAsync"/> walks a directory in ordinal name order and writes repeated inodes as hard links.
/// </summary>
public sealed class LayerTarWriter : IAsyncDisposable, IDisposable
{
    private const string XattrPaxPrefix = "SCHILY.xattr.";

    // System.Formats.Tar keeps PAX values as strings: a value that is not UTF-8 (some security.capability values)
    // cannot be written faithfully, so it fails loudly rather than being mangled.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private const int UstarMaxId = 0x1FFFFF; // 7 octal digits
    private readonly TarWriter _writer;

    /// <summary>Writes to <paramref name="output"/> (an uncompressed tar stream).</summary>
    public LayerTarWriter(Stream output, bool leaveOpen = true) => _writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen);

    /// <summary>A directory entry (<c>path/</c>).</summary>
    public Task AddDirectoryAsync(string path, LayerEntryMetadata metadata, CancellationToken cancellationToken = default) =>
        WriteAsync(Entry(TarEntryType.Directory, Name(path) + "/", metadata), cancellationToken);

    /// <summary>A regular file; <paramref name="content"/> must be seekable or have a known length.</summary>
    public async Task AddFileAsync(string path, Stream content, LayerEntryMetadata metadata, CancellationToken cancellationToken = default)
    {
        var entry = Entry(TarEntryType.RegularFile, Name(path), metadata);
        entry.DataStream = content;
        await WriteAsync(entry, cancellationToken);
    }

    /// <summary>A symlink to <paramref name="target"/> (stored as given).</summary>
    public Task AddSymlinkAsync(string path, string target, LayerEntryMetadata metadata, CancellationToken cancellationToken = default) =>
        WriteAsync(Entry(TarEntryType.SymbolicLink, Name(path), metadata with { Mode = (UnixFileMode)0x1ff }, target), cancellationToken);

    /// <summary>A hard link to an earlier entry <paramref name="target"/>.</summary>
    public Task AddHardLinkAsync(string path, string target, LayerEntryMetadata metadata, CancellationToken cancellationToken = default) =>
        WriteAsync(Entry(TarEntryType.HardLink, Name(path), metadata, Name(target)), cancellationToken);

    /// <summary>A character or block device, or a fifo (device numbers ignored).</summary>
    public Task AddSpecialAsync(string path, TarEntryType type, int major, int minor, LayerEntryMetadata metadata, CancellationToken cancellationToken = default)
    {
        if (type is not (TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo))
            throw new ArgumentException($"{type} is not a device or fifo", nameof(type));
        var entry = Entry(type, Name(path), metadata);
        if (type != TarEntryType.Fifo)
        {
            entry.DeviceMajor = major;
            entry.DeviceMinor = minor;
        }
        return WriteAsync(entry, cancellationToken);
    }

    /// <summary>An OCI whiteout hiding <paramref name="path"/> of lower layers (<c>dir/.wh.name</c>).</summary>
    public Task AddWhiteoutAsync(string path, CancellationToken cancellationToken = default)
    {
        var (parent, name) = LayerPath.Split(Name(path));
        var whiteout = parent.Length == 0 ? ".wh." + name : $"{parent}/.wh.{name}";
        return WriteAsync(Entry(TarEntryType.RegularFile, whiteout, LayerEntryMetadata.DefaultFile with { Mode = 0 }), cancellationToken);
    }

    /// <summary>An OCI opaque whiteout: <paramref name="directory"/> hides everything lower layers had in it.</summary>
    public Task AddOpaqueAsync(string directory, CancellationToken cancellationToken = default)
    {
        var name = Name(directory);
        return WriteAsync(Entry(TarEntryType.RegularFile, name.Length == 0 ? ".wh..wh..opq" : name + "/.wh..wh..opq", LayerEntryMetadata.DefaultFile with { Mode = 0 }), cancellationToken);
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
                    await using (var file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan))
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

    private static PosixTarEntry Entry(TarEntryType type, string name, LayerEntryMetadata metadata, string? linkName = null)
    {
        var mtime = metadata.ModificationTime == default ? DateTimeOffset.UnixEpoch : metadata.ModificationTime;
        var needsPax = name.Length > 100 || (linkName?.Length ?? 0) > 100
            || metadata.Xattrs is { Count: > 0 }
            || metadata.Uid is < 0 or > UstarMaxId || metadata.Gid is < 0 or > UstarMaxId
            || mtime.Ticks % TimeSpan.TicksPerSecond != 0 || mtime < DateTimeOffset.UnixEpoch;
        PosixTarEntry entry;
        if (needsPax)
        {
            var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
            if (metadata.Xattrs is not null)
                foreach (var (key, value) in metadata.Xattrs.OrderBy(x => x.Key, StringComparer.Ordinal))
                {
                    try
                    {
                        attributes[XattrPaxPrefix + key] = StrictUtf8.GetString(value);
                    }
                    catch (DecoderFallbackException)
                    {
                        throw new NotSupportedException($"layer entry \"{name}\": xattr {key} has a binary (non UTF-8) value, which cannot be written to a PAX header yet");
                    }
                }
            entry = new PaxTarEntry(type, name, attributes);
        }
        else
        {
            entry = new UstarTarEntry(type, name);
        }
        entry.Mode = metadata.Mode;
        entry.Uid = metadata.Uid;
        entry.Gid = metadata.Gid;
        entry.ModificationTime = mtime;
        entry.UserName = "";
        entry.GroupName = "";
        if (linkName is not null) entry.LinkName = linkName;
        return entry;
    }

    private Task WriteAsync(TarEntry entry, CancellationToken cancellationToken) => _writer.WriteEntryAsync(entry, cancellationToken);

    /// <summary>Writes the end-of-archive blocks.</summary>
    public ValueTask DisposeAsync() => _writer.DisposeAsync();

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
