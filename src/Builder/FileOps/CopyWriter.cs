using Ashlar.Builder.Context;
using Ashlar.Images.Native;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// Writes selected entries under directories of a <see cref="DestinationRoot"/>, with the metadata BuildKit gives
/// copied files: the source's mode (or <c>--chmod</c>) and mtime, owner 0:0 for the build context, the source's owner
/// for another stage, or <c>--chown</c>. Symlinks are written as symlinks; files that were hard links of each other
/// within one copy stay hard links. Directory metadata is set after their children are written.
/// With a <see cref="LinkOrigin"/>, a regular file whose committed counterpart already has exactly the metadata the copy
/// would give it is hard-linked to it instead (no new inode, no bytes copied, and no metadata call ever reaches that
/// shared inode); anything else is copied.
/// </summary>
internal sealed class CopyWriter(DestinationRoot root, (uint Uid, uint Gid)? chown, ModeSpec? chmod, LinkOrigin? origin = null, DateTimeOffset? clampedAt = null)
{
    private readonly Dictionary<(ulong Device, ulong Inode, int Layer), string> _linked = [];

    // Inodes of the origin this copy has linked: one inode at two paths would be a hard link the copy did not ask for.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<ulong, byte> _borrowed = new();

    private long _written;
    private long _shared;

    // Set once a link says EXDEV (the destination is an overlay mount, not the snapshot's own directory): every other
    // file would get the same answer, so none is tried again.
    private volatile bool _crossDevice;

    public long Written => Interlocked.Read(ref _written);

    /// <summary>How many files were hard-linked to their origin rather than copied.</summary>
    public long Shared => Interlocked.Read(ref _shared);

    public (uint Uid, uint Gid) OwnerOf(SourceEntry entry) =>
        chown ?? (entry.Tree is { KeepsOwnership: true } ? (entry.Uid, entry.Gid) : (0u, 0u));

    public uint ModeOf(SourceEntry entry) =>
        chmod?.Apply(entry.Mode, entry.Type == SourceEntryType.Directory) ?? entry.Mode;

    /// <summary>
    /// Writes a non-directory entry as <paramref name="name"/> in the open directory; <paramref name="knownAbsent"/>
    /// when the directory was just made, so nothing can be in the way.
    /// </summary>
    public async Task WriteLeafAsync(int dirFd, string dirPath, string name, SourceEntry entry, CancellationToken cancellationToken, bool knownAbsent = false)
    {
        var display = "/" + ContextPath.Join(dirPath, name);
        if (!knownAbsent)
        {
            var existing = TypeAt(dirFd, name);
            if (existing == LibC.S_IFDIR) throw new IOException($"cannot replace directory \"{display}\" with a {Describe(entry.Type)}");
            if (existing is not null && LibC.UnlinkAt(dirFd, name, 0) != 0) throw LibC.Failure($"removing \"{display}\"");
        }

        LinkCandidate? candidate = null;
        if (origin is not null && !_crossDevice && entry is { Type: SourceEntryType.File, SourcePath: not null, InlineContent: null })
            candidate = await origin.LocateAsync(entry, ContextPath.Join(dirPath, name), cancellationToken);

        if (entry is { Type: SourceEntryType.File, LinkCount: > 1, SourcePath: not null })
        {
            var key = (entry.Device, entry.Inode, candidate?.Layer ?? 0);
            if (_linked.TryGetValue(key, out var first))
            {
                LinkTo(first, dirFd, name, display);
                return;
            }
            _linked[key] = ContextPath.Join(dirPath, name);
        }

        switch (entry.Type)
        {
            case SourceEntryType.File:
                if (candidate is { } shared && TryShare(shared, entry, dirFd, name))
                {
                    Interlocked.Increment(ref _shared);
                    Interlocked.Increment(ref _written);
                    return;
                }
                await WriteFileAsync(dirFd, name, entry, display, cancellationToken);
                Interlocked.Increment(ref _written);
                return;
            case SourceEntryType.Symlink:
                if (LibC.SymlinkAt(entry.LinkTarget!, dirFd, name) != 0) throw LibC.Failure($"creating symlink \"{display}\"");
                break;
            case SourceEntryType.Fifo:
            case SourceEntryType.CharacterDevice:
            case SourceEntryType.BlockDevice:
                var type = entry.Type switch { SourceEntryType.Fifo => LibC.S_IFIFO, SourceEntryType.CharacterDevice => LibC.S_IFCHR, _ => LibC.S_IFBLK };
                var major = entry.RawDevice >> 32;
                var minor = entry.RawDevice & 0xffffffff;
                var device = ((major & 0xfffff000UL) << 32) | ((major & 0xfffUL) << 8) | ((minor & 0xffffff00UL) << 12) | (minor & 0xffUL);
                if (LibC.MknodAt(dirFd, name, type | 0x180, device) != 0) throw LibC.Failure($"creating node \"{display}\"");
                break;
            default:
                throw new InvalidOperationException($"{entry.Type} is not a leaf");
        }
        ApplyMetadata(dirFd, name, entry, display);
        Interlocked.Increment(ref _written);
    }

    /// <summary>
    /// Hard-links <paramref name="candidate"/> as <paramref name="name"/> when it is a regular file with exactly the size,
    /// mode, owner and mtime the copy would write and no extended attributes (the copy would drop overlay's own and
    /// SELinux's), and the clamp of SOURCE_DATE_EPOCH will not touch it. False (nothing made) when it is not, or the
    /// link fails: another filesystem or mount (EXDEV), too many links (EMLINK), not allowed (EPERM), gone (ENOENT).
    /// </summary>
    private bool TryShare(LinkCandidate candidate, SourceEntry entry, int dirFd, string name)
    {
        LibC.Statx st;
        if (candidate.Status is { } known) st = known;
        else if (LibC.StatxAt(LibC.AT_FDCWD, candidate.Path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out st) != 0) return false;
        if ((st.Mode & LibC.S_IFMT) != LibC.S_IFREG || (long)st.Size != entry.Size || (st.Mode & 0xfffu) != ModeOf(entry)) return false;
        if ((st.Uid, st.Gid) != OwnerOf(entry)) return false;
        // The copy sets the mtime to 100 ns; a layer keeps whole seconds, so sub-100 ns of the origin never show.
        if (LibC.ToTime(st.ModifyTime) != entry.ModifiedTime) return false;
        if (clampedAt is { } epoch && st.ModifyTime.Seconds >= epoch.ToUnixTimeSeconds()) return false;
        if (Xattrs.Any(candidate.Path)) return false;
        if (!_borrowed.TryAdd(st.Inode, 0)) return false;
        if (LibC.LinkAt(LibC.AT_FDCWD, candidate.Path, dirFd, name, 0) == 0) return true;
        // Whatever the reason (EXDEV, EMLINK, EPERM, ENOENT when pruned meanwhile), the file is copied instead.
        if (LibC.LastError == LibC.EXDEV) _crossDevice = true;
        _borrowed.TryRemove(st.Inode, out _);
        return false;
    }

    private void LinkTo(string first, int dirFd, string name, string display)
    {
        var (parent, firstName) = ContextPath.Split(first);
        var parentFd = root.Open(parent, LibC.O_PATH | LibC.O_DIRECTORY);
        if (parentFd < 0) throw LibC.Failure($"opening \"/{parent}\" for a hard link");
        try
        {
            if (LibC.LinkAt(parentFd, firstName, dirFd, name, 0) != 0) throw LibC.Failure($"hard-linking \"{display}\" to \"/{first}\"");
        }
        finally { LibC.Close(parentFd); }
    }

    // The file's owner, xattrs, mode and times are set through its open descriptor (no more lookups by name).
    private async Task WriteFileAsync(int dirFd, string name, SourceEntry entry, string display, CancellationToken cancellationToken)
    {
        var fd = LibC.OpenAt(dirFd, name, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180);
        if (fd < 0) throw LibC.Failure($"creating \"{display}\"");
        using var target = new SafeFileHandle(fd, ownsHandle: true);
        if (entry.InlineContent is { } inline)
            RandomAccess.Write(target, inline, 0);
        else
        {
            // A plain open: File.OpenHandle would add an fstat and an advisory flock per file.
            var sourceFd = LibC.Open(entry.FullPath!, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
            if (sourceFd < 0) throw LibC.Failure($"opening \"{entry.FullPath}\"");
            using var source = new SafeFileHandle(sourceFd, ownsHandle: true);
            // The kernel copies (and may share extents) when both sides allow it; otherwise plain reads and writes.
            if (!TryCopyInKernel(source, target, entry.Size))
                await CopyWithBufferAsync(source, target, cancellationToken);
        }
        var (uid, gid) = OwnerOf(entry);
        Native.OpenFile.SetOwner(fd, uid, gid, display);
        CopyXattrs(dirFd, name, entry);
        Native.OpenFile.SetMode(fd, ModeOf(entry), display);
        Native.OpenFile.SetTimes(fd, entry.ModifiedTime, display);
    }

    private static async Task CopyWithBufferAsync(SafeFileHandle source, SafeFileHandle target, CancellationToken cancellationToken)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 17);
        try
        {
            long offset = 0;
            int read;
            while ((read = await RandomAccess.ReadAsync(source, buffer, offset, cancellationToken)) > 0)
            {
                await RandomAccess.WriteAsync(target, buffer.AsMemory(0, read), offset, cancellationToken);
                offset += read;
            }
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    private static unsafe bool TryCopyInKernel(SafeFileHandle source, SafeFileHandle target, long size)
    {
        if (size == 0) return true;
        long copied = 0;
        while (true)
        {
            var n = LibC.CopyFileRange((int)source.DangerousGetHandle(), null, (int)target.DangerousGetHandle(), null, 1 << 30, 0);
            if (n < 0)
            {
                if (copied > 0) throw LibC.Failure("copy_file_range");
                return false; // EXDEV, EINVAL, ENOSYS, EOPNOTSUPP: fall back to reads and writes
            }
            if (n == 0) return true;
            copied += n;
            if (copied == size) return true; // as much as was selected: no call just to read the end
        }
    }

    /// <summary>
    /// Owner, then xattrs, then mode (chown clears setuid and file capabilities), then times; never through a symlink.
    /// <paramref name="isDestination"/> for the directory a contents copy made as its destination: BuildKit gives it
    /// the source directory's own mode, <c>--chmod</c> only reaching what is copied into it.
    /// </summary>
    public void ApplyMetadata(int dirFd, string name, SourceEntry entry, string display, bool isDestination = false)
    {
        var (uid, gid) = OwnerOf(entry);
        if (LibC.FchownAt(dirFd, name, uid, gid, LibC.AT_SYMLINK_NOFOLLOW) != 0) throw LibC.Failure($"chown {uid}:{gid} \"{display}\"");
        CopyXattrs(dirFd, name, entry);
        if (entry.Type != SourceEntryType.Symlink && LibC.FchmodAt(dirFd, name, isDestination ? entry.Mode : ModeOf(entry), 0) != 0)
            throw LibC.Failure($"chmod \"{display}\"");
        if (LibC.SetTimes(dirFd, name, entry.ModifiedTime) != 0) throw LibC.Failure($"setting times of \"{display}\"");
    }

    // Extended attributes travel with copied files as in BuildKit (file capabilities such as security.capability
    // matter); the host's SELinux label does not, and attributes the destination cannot take are skipped.
    private static void CopyXattrs(int dirFd, string name, SourceEntry entry)
    {
        if (entry.FullPath is not { } source) return;
        foreach (var (key, value) in LibC.ListXattrs(source))
        {
            if (key == "security.selinux") continue;
            _ = LibC.LSetXattr($"/proc/self/fd/{dirFd}/{name}", key, value);
        }
    }

    /// <summary>
    /// Writes <paramref name="entries"/> (depth first, targets relative to the open directory <paramref name="baseFd"/>
    /// whose path in the root is <paramref name="basePath"/>; <paramref name="baseIsNew"/> when the copy just made it). The files of each directory are written several at a
    /// time: a copy is bound by the latency of file creation (an overlay mount, a busy disk), not by the CPU.
    /// </summary>
    public async Task WriteTreeAsync(int baseFd, string basePath, IEnumerable<SourceEntry> entries, CancellationToken cancellationToken, bool baseIsNew = false)
    {
        var stack = new List<Level> { new("", baseFd, null, Fresh: baseIsNew) };
        var files = new List<SourceEntry>();
        try
        {
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (parent, name) = ContextPath.Split(entry.TargetPath);
                if (stack[^1].Target != parent)
                {
                    await FlushAsync(stack[^1], basePath, files, cancellationToken);
                    while (stack[^1].Target != parent)
                    {
                        if (stack.Count == 1) throw new InvalidOperationException($"entry \"{entry.TargetPath}\" came before its directory");
                        Pop(stack, basePath);
                    }
                }
                if (entry.Type != SourceEntryType.Directory)
                {
                    files.Add(entry);
                    continue;
                }
                var dirFd = stack[^1].Fd;
                var display = "/" + ContextPath.Join(basePath, entry.TargetPath);
                var created = false;
                if (!stack[^1].Fresh)
                {
                    var existing = TypeAt(dirFd, name);
                    if (existing is not null && existing != LibC.S_IFDIR)
                        throw new IOException($"cannot copy to non-directory: \"{display}\"");
                    created = existing is null;
                }
                else created = true;
                if (created && LibC.MkdirAt(dirFd, name, 0x1c0) != 0) throw LibC.Failure($"creating directory \"{display}\"");
                var fd = LibC.OpenAt(dirFd, name, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                if (fd < 0) throw LibC.Failure($"opening \"{display}\"");
                await FlushAsync(stack[^1], basePath, files, cancellationToken);
                stack.Add(new Level(entry.TargetPath, fd, created || entry.OverwritesMetadata ? entry : null, created));
                Interlocked.Increment(ref _written);
            }
            await FlushAsync(stack[^1], basePath, files, cancellationToken);
            while (stack.Count > 1) Pop(stack, basePath);
        }
        finally
        {
            for (var i = 1; i < stack.Count; i++) LibC.Close(stack[i].Fd);
        }
    }

    private sealed record Level(string Target, int Fd, SourceEntry? Pending, bool Fresh);

    private const int Parallelism = 4;

    // Writes the files gathered for one directory. Possible hard links go one by one (the first of a group must exist
    // before the others link to it); in a directory this copy just made nothing can be in the way of a name.
    private async Task FlushAsync(Level level, string basePath, List<SourceEntry> files, CancellationToken cancellationToken)
    {
        if (files.Count == 0) return;
        var dirPath = ContextPath.Join(basePath, level.Target);
        var independent = new List<SourceEntry>(files.Count);
        foreach (var file in files)
        {
            if (file is { Type: SourceEntryType.File, LinkCount: > 1, SourcePath: not null })
                await WriteLeafAsync(level.Fd, dirPath, ContextPath.Name(file.TargetPath), file, cancellationToken, level.Fresh);
            else independent.Add(file);
        }
        files.Clear();
        if (independent.Count < 4)
        {
            foreach (var file in independent)
                await WriteLeafAsync(level.Fd, dirPath, ContextPath.Name(file.TargetPath), file, cancellationToken, level.Fresh);
            return;
        }
        await Parallel.ForEachAsync(independent, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            (file, token) => new ValueTask(WriteLeafAsync(level.Fd, dirPath, ContextPath.Name(file.TargetPath), file, token, level.Fresh)));
    }

    private void Pop(List<Level> stack, string basePath)
    {
        var level = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        LibC.Close(level.Fd);
        if (level.Pending is not null)
            ApplyMetadata(stack[^1].Fd, ContextPath.Name(level.Target), level.Pending, "/" + ContextPath.Join(basePath, level.Target));
    }

    public static uint? TypeAt(int dirFd, string name)
    {
        if (LibC.StatxAt(dirFd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
        {
            var errno = LibC.LastError;
            if (errno == LibC.ENOENT) return null;
            throw LibC.Failure($"stat {name}", errno);
        }
        return st.Mode & LibC.S_IFMT;
    }

    private static string Describe(SourceEntryType type) => type switch
    {
        SourceEntryType.File => "file",
        SourceEntryType.Symlink => "symlink",
        _ => type.ToString().ToLowerInvariant(),
    };
}
