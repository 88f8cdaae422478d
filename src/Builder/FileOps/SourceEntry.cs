using System.Security.Cryptography;
using Ashlar.Builder.Context;
using Ashlar.Images.Native;
using Ashlar.Images.Content;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// One file, directory, symlink or node that a COPY/ADD will write, as selected from its source: where it lands
/// relative to the destination, and the metadata the source has. <see cref="GetContentDigestAsync"/> reads (or takes
/// from the stat cache) the content digest on demand, so a cache key can be computed without copying anything.
/// </summary>
public sealed class SourceEntry
{
    private readonly SourceTree? _tree;
    private readonly byte[]? _inlineContent;
    private const long SmallFile = 1 << 20;
    private Digest? _digest;

    internal SourceEntry(SourceTree? tree, string? sourcePath, string targetPath, SourceEntryType type, uint mode, uint uid, uint gid,
        long size, string? linkTarget, DateTimeOffset modified, byte[]? inlineContent = null)
    {
        _tree = tree;
        SourcePath = sourcePath;
        TargetPath = targetPath;
        Type = type;
        Mode = mode;
        Uid = uid;
        Gid = gid;
        Size = size;
        LinkTarget = linkTarget;
        ModifiedTime = modified;
        _inlineContent = inlineContent;
    }

    /// <summary>The real path in the source tree (symlinks resolved); null for a heredoc or downloaded content.</summary>
    public string? SourcePath { get; }

    /// <summary>Where the entry lands, relative to the copy's destination directory ("" is the destination itself).</summary>
    public string TargetPath { get; }

    /// <summary>File, directory, symlink, ...</summary>
    public SourceEntryType Type { get; }

    /// <summary>Permission bits with setuid/setgid/sticky (the low 12 bits of st_mode) as in the source.</summary>
    public uint Mode { get; }

    /// <summary>The owner in the source.</summary>
    public uint Uid { get; }

    /// <summary>The group in the source.</summary>
    public uint Gid { get; }

    /// <summary>Bytes of a regular file (0 otherwise).</summary>
    public long Size { get; }

    /// <summary>A symlink's target as stored; null for other types.</summary>
    public string? LinkTarget { get; }

    /// <summary>The source's modification time (copied files keep it).</summary>
    public DateTimeOffset ModifiedTime { get; }

    internal SourceTree? Tree => _tree;

    internal ulong Device { get; init; }
    internal ulong Inode { get; init; }
    internal uint LinkCount { get; init; } = 1;
    internal long ChangedNanoseconds { get; init; }
    internal ulong RawDevice { get; init; }

    /// <summary>True for entries inside a copied directory: an existing directory there takes the source's metadata.</summary>
    internal bool OverwritesMetadata { get; init; }

    /// <summary>The source file's absolute path to read from, or null for inline content.</summary>
    internal string? FullPath => SourcePath is null || _tree is null ? null : _tree.FullPath(SourcePath);

    internal byte[]? InlineContent => _inlineContent;

    /// <summary>
    /// The sha256 of a regular file's content (null for other types), read once and remembered; served from the
    /// tree's <see cref="ContextStatCache"/> when device, inode, size, mtime and ctime are unchanged.
    /// </summary>
    public async ValueTask<Digest?> GetContentDigestAsync(CancellationToken cancellationToken = default)
    {
        if (Type != SourceEntryType.File) return null;
        if (_digest is { } known) return known;
        if (_inlineContent is not null) return _digest = Digest.Sha256(_inlineContent);

        var path = FullPath!;
        var stamp = new ContextStatCache.FileStamp(Device, Inode, Size, (ModifiedTime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100, ChangedNanoseconds);
        if (_tree?.StatCache?.TryGet(path, stamp) is { } cached) return _digest = Digest.FromHash(cached);

        byte[] hash;
        if (Size <= SmallFile)
            hash = SHA256.HashData(await File.ReadAllBytesAsync(path, cancellationToken)); // one read, no stream setup
        else
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            hash = await SHA256.HashDataAsync(file, cancellationToken);
        }
        _tree?.StatCache?.Set(path, stamp, hash);
        return _digest = Digest.FromHash(hash);
    }

    /// <summary>True for a socket, which a copy skips inside directories (it cannot be part of an image).</summary>
    internal static bool IsSocket(string fullPath) =>
        LibC.StatxAt(LibC.AT_FDCWD, fullPath, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) == 0 &&
        (st.Mode & LibC.S_IFMT) == LibC.S_IFSOCK;

    /// <summary>Reads metadata of <paramref name="fullPath"/> without following a final symlink.</summary>
    internal static SourceEntry Stat(SourceTree? tree, string fullPath, string? sourcePath, string targetPath, bool overwritesMetadata)
    {
        if (LibC.StatxAt(LibC.AT_FDCWD, fullPath, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
            throw LibC.Failure($"stat {fullPath}");
        return FromStatx(tree, fullPath, sourcePath, targetPath, overwritesMetadata, st);
    }

    /// <summary>An entry from what statx (not following a final symlink) said about <paramref name="fullPath"/>.</summary>
    internal static SourceEntry FromStatx(SourceTree? tree, string fullPath, string? sourcePath, string targetPath, bool overwritesMetadata, in LibC.Statx st)
    {
        var type = (st.Mode & LibC.S_IFMT) switch
        {
            LibC.S_IFDIR => SourceEntryType.Directory,
            LibC.S_IFLNK => SourceEntryType.Symlink,
            LibC.S_IFIFO => SourceEntryType.Fifo,
            LibC.S_IFCHR => SourceEntryType.CharacterDevice,
            LibC.S_IFBLK => SourceEntryType.BlockDevice,
            LibC.S_IFREG => SourceEntryType.File,
            _ => throw new IOException($"\"{sourcePath ?? fullPath}\" is a socket: sockets cannot be copied"),
        };
        var link = type == SourceEntryType.Symlink ? LibC.ReadLink(LibC.AT_FDCWD, fullPath) ?? throw LibC.Failure($"readlink {fullPath}") : null;
        return new SourceEntry(tree, sourcePath, targetPath, type, st.Mode & 0xfffu, st.Uid, st.Gid,
            type == SourceEntryType.File ? (long)st.Size : 0, link, LibC.ToTime(st.ModifyTime))
        {
            Device = ((ulong)st.DevMajor << 32) | st.DevMinor,
            Inode = st.Inode,
            LinkCount = st.LinkCount,
            ChangedNanoseconds = st.ChangeTime.Seconds * 1_000_000_000 + st.ChangeTime.Nanoseconds,
            RawDevice = ((ulong)st.RdevMajor << 32) | st.RdevMinor,
            OverwritesMetadata = overwritesMetadata,
        };
    }

    /// <summary>The same entry landing somewhere else (a file renamed to the destination path).</summary>
    internal SourceEntry WithTarget(string targetPath) =>
        new(_tree, SourcePath, targetPath, Type, Mode, Uid, Gid, Size, LinkTarget, ModifiedTime, _inlineContent)
        {
            Device = Device, Inode = Inode, LinkCount = LinkCount, ChangedNanoseconds = ChangedNanoseconds,
            RawDevice = RawDevice, OverwritesMetadata = OverwritesMetadata, _digest = _digest,
        };

    /// <inheritdoc />
    public override string ToString() => $"{Type} {TargetPath} ({SourcePath ?? "inline"})";
}
