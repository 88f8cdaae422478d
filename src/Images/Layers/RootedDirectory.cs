using Ashlar.Images.Native;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Images.Layers;

/// <summary>
/// A directory that every path is resolved inside, as if it were "/": openat2(RESOLVE_IN_ROOT) resolves the parent of
/// each entry, so <c>..</c> and symlinks (absolute or relative) cannot lead out of it, and the final component is then
/// created with *at calls that do not follow it (O_NOFOLLOW, O_EXCL, AT_SYMLINK_NOFOLLOW). Nothing outside the root
/// is ever written.
/// </summary>
internal sealed class RootedDirectory : IDisposable
{
    private const uint DefaultDirectoryMode = 0x1ed; // 0755
    private readonly string _root;
    private int _rootFd;

    public RootedDirectory(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
        _rootFd = LibC.Open(root, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (_rootFd < 0) throw LibC.Failure($"opening {root}");
    }

    /// <summary>A descriptor for a directory inside the root; disposing closes it (unless it is the root's own).</summary>
    public readonly struct DirectoryHandle(int fd, bool owned) : IDisposable
    {
        public int Fd { get; } = fd;

        /// <summary>A path for calls that have no *at form (lsetxattr); /proc resolves the descriptor, not a name.</summary>
        public string PathOf(string name) => $"/proc/self/fd/{Fd}/{name}";

        public void Dispose()
        {
            if (owned) LibC.Close(Fd);
        }
    }

    /// <summary>Opens the directory <paramref name="relative"/> (clean, relative) inside the root, creating missing ones when asked.</summary>
    public DirectoryHandle OpenDirectory(string relative, bool create, string entryName)
    {
        if (relative.Length == 0) return new DirectoryHandle(_rootFd, owned: false);
        var fd = OpenInRoot(relative);
        if (fd >= 0) return new DirectoryHandle(fd, owned: true);
        var errno = LibC.LastError;
        if (errno == LibC.ENOSYS)
            throw new PlatformNotSupportedException("unpacking layers safely needs openat2 (Linux 5.6 or later)");
        if (errno == LibC.ENOTDIR)
            throw new InvalidDataException($"layer entry \"{entryName}\": a parent of it (in \"{relative}\") is not a directory");
        if (errno != LibC.ENOENT || !create)
            throw LibC.Failure($"layer entry \"{entryName}\": resolving \"{relative}\" inside {_root}", errno);

        // Create the missing directories one at a time, each resolved inside the root again.
        var (parent, name) = LayerPath.Split(relative);
        using (var parentHandle = OpenDirectory(parent, create: true, entryName))
        {
            if (LibC.MkdirAt(parentHandle.Fd, name, DefaultDirectoryMode) != 0)
            {
                errno = LibC.LastError;
                if (errno == LibC.EEXIST)
                    throw new InvalidDataException($"layer entry \"{entryName}\": \"{relative}\" is a symlink whose target does not exist inside the layer root; refusing to follow it");
                throw LibC.Failure($"layer entry \"{entryName}\": creating directory \"{relative}\"", errno);
            }
        }
        fd = OpenInRoot(relative);
        if (fd < 0) throw LibC.Failure($"layer entry \"{entryName}\": opening \"{relative}\"");
        return new DirectoryHandle(fd, owned: true);
    }

    /// <summary>Opens an existing directory inside the root, or returns null when there is none at that path.</summary>
    public DirectoryHandle? TryOpenDirectory(string relative)
    {
        if (relative.Length == 0) return new DirectoryHandle(_rootFd, owned: false);
        var fd = OpenInRoot(relative);
        if (fd >= 0) return new DirectoryHandle(fd, owned: true);
        var errno = LibC.LastError;
        if (errno is LibC.ENOENT or LibC.ENOTDIR) return null;
        throw LibC.Failure($"resolving \"{relative}\" inside {_root}", errno);
    }

    private int OpenInRoot(string relative)
    {
        return LibC.OpenAt2(_rootFd, relative, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
    }

    /// <summary>The type bits (S_IFMT) of <paramref name="name"/> in a directory, or null when absent; never follows it.</summary>
    public static uint? TypeOf(DirectoryHandle directory, string name)
    {
        if (LibC.StatxAt(directory.Fd, name, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) != 0)
        {
            var errno = LibC.LastError;
            if (errno == LibC.ENOENT) return null;
            throw LibC.Failure($"stat {name}", errno);
        }
        return stat.Mode & LibC.S_IFMT;
    }

    /// <summary>Removes <paramref name="name"/> (a directory with everything in it) without following symlinks.</summary>
    public static void Remove(DirectoryHandle directory, string name)
    {
        var type = TypeOf(directory, name);
        if (type is null) return;
        if (type == LibC.S_IFDIR)
        {
            // Directory.Delete does not follow symlinks inside the tree; the path goes through the descriptor.
            Directory.Delete(directory.PathOf(name), recursive: true);
            return;
        }
        if (LibC.UnlinkAt(directory.Fd, name, 0) != 0) throw LibC.Failure($"removing {name}");
    }

    /// <summary>Opens a new regular file for writing (fails if anything is there: callers remove it first).</summary>
    public static FileStream CreateFile(DirectoryHandle directory, string name, string entryName)
    {
        var fd = LibC.OpenAt(directory.Fd, name, LibC.O_WRONLY | LibC.O_CREAT | LibC.O_EXCL | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0x180 /* 0600 */);
        if (fd < 0) throw LibC.Failure($"layer entry \"{entryName}\": creating file");
        return new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Write, bufferSize: 0, isAsync: false);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _rootFd, -1);
        if (fd >= 0) LibC.Close(fd);
    }
}
