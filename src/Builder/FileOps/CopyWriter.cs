using Ashlar.Builder.Context;
using Ashlar.Images.Native;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// Writes selected entries under directories of a <see cref="DestinationRoot"/>, with the metadata BuildKit gives
/// copied files: the source's mode (or <c>--chmod</c>) and mtime, owner 0:0 for the build context, the source's owner
/// for another stage, or <c>--chown</c>. Symlinks are written as symlinks; files that were hard links of each other
/// within one copy stay hard links. Directory metadata is set after their children are written.
/// </summary>
internal sealed class CopyWriter(DestinationRoot root, (uint Uid, uint Gid)? chown, ModeSpec? chmod)
{
    private readonly Dictionary<(ulong Device, ulong Inode), string> _linked = [];

    public long Written { get; private set; }

    public (uint Uid, uint Gid) OwnerOf(SourceEntry entry) =>
        chown ?? (entry.Tree is { KeepsOwnership: true } ? (entry.Uid, entry.Gid) : (0u, 0u));

    public uint ModeOf(SourceEntry entry) =>
        chmod?.Apply(entry.Mode, entry.Type == SourceEntryType.Directory) ?? entry.Mode;

    /// <summary>Writes a non-directory entry as <paramref name="name"/> in the open directory.</summary>
    public async Task WriteLeafAsync(int dirFd, string dirPath, string name, SourceEntry entry, CancellationToken cancellationToken)
    {
        var display = "/" + ContextPath.Join(dirPath, name);
        var existing = TypeAt(dirFd, name);
        if (existing == LibC.S_IFDIR) throw new IOException($"cannot replace directory \"{display}\" with a {Describe(entry.Type)}");
        if (existing is not null && LibC.UnlinkAt(dirFd, name, 0) != 0) throw LibC.Failure($"removing \"{display}\"");

        if (entry is { Type: SourceEntryType.File, LinkCount: > 1, SourcePath: not null })
        {
            var key = (entry.Device, entry.Inode);
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
                await WriteFileAsync(dirFd, name, entry, display, cancellationToken);
                break;
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
        Written++;
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

    private async Task WriteFileAsync(int dirFd, string name, SourceEntry entry, string display, CancellationToken cancellationToken)
    {
        var fd = LibC.OpenAt(dirFd, name, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180);
        if (fd < 0) throw LibC.Failure($"creating \"{display}\"");
        using var target = new SafeFileHandle(fd, ownsHandle: true);
        if (entry.InlineContent is { } inline)
        {
            RandomAccess.Write(target, inline, 0);
            return;
        }
        using var source = File.OpenHandle(entry.FullPath!, FileMode.Open, FileAccess.Read, FileShare.Read);
        // The kernel copies (and may share extents) when both sides allow it; otherwise plain reads and writes.
        if (TryCopyInKernel(source, target, entry.Size)) return;
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
        }
    }

    /// <summary>Owner, then xattrs, then mode (chown clears setuid and file capabilities), then times; never through a symlink.</summary>
    public void ApplyMetadata(int dirFd, string name, SourceEntry entry, string display)
    {
        var (uid, gid) = OwnerOf(entry);
        if (LibC.FchownAt(dirFd, name, uid, gid, LibC.AT_SYMLINK_NOFOLLOW) != 0) throw LibC.Failure($"chown {uid}:{gid} \"{display}\"");
        CopyXattrs(dirFd, name, entry);
        if (entry.Type != SourceEntryType.Symlink && LibC.FchmodAt(dirFd, name, ModeOf(entry), 0) != 0)
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
    /// whose path in the root is <paramref name="basePath"/>).
    /// </summary>
    public async Task WriteTreeAsync(int baseFd, string basePath, IEnumerable<SourceEntry> entries, CancellationToken cancellationToken)
    {
        var stack = new List<(string Target, int Fd, SourceEntry? Pending)> { ("", baseFd, null) };
        try
        {
            foreach (var entry in entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var (parent, name) = ContextPath.Split(entry.TargetPath);
                while (stack[^1].Target != parent)
                {
                    if (stack.Count == 1) throw new InvalidOperationException($"entry \"{entry.TargetPath}\" came before its directory");
                    Pop(stack, basePath);
                }
                var dirFd = stack[^1].Fd;
                var dirPath = ContextPath.Join(basePath, parent);
                if (entry.Type != SourceEntryType.Directory)
                {
                    await WriteLeafAsync(dirFd, dirPath, name, entry, cancellationToken);
                    continue;
                }
                var display = "/" + ContextPath.Join(dirPath, name);
                var existing = TypeAt(dirFd, name);
                var created = false;
                if (existing is null)
                {
                    if (LibC.MkdirAt(dirFd, name, 0x1c0) != 0) throw LibC.Failure($"creating directory \"{display}\"");
                    created = true;
                }
                else if (existing != LibC.S_IFDIR)
                    throw new IOException($"cannot copy to non-directory: \"{display}\"");
                var fd = LibC.OpenAt(dirFd, name, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                if (fd < 0) throw LibC.Failure($"opening \"{display}\"");
                stack.Add((entry.TargetPath, fd, created || entry.OverwritesMetadata ? entry : null));
                Written++;
            }
            while (stack.Count > 1) Pop(stack, basePath);
        }
        finally
        {
            for (var i = 1; i < stack.Count; i++) LibC.Close(stack[i].Fd);
        }
    }

    private void Pop(List<(string Target, int Fd, SourceEntry? Pending)> stack, string basePath)
    {
        var (target, fd, pending) = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        LibC.Close(fd);
        if (pending is not null)
            ApplyMetadata(stack[^1].Fd, ContextPath.Name(target), pending, "/" + ContextPath.Join(basePath, target));
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
