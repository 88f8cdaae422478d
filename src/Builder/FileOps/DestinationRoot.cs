using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// The rootfs (or empty layer directory) a copy writes into, treated as "/": every path is resolved with
/// openat2(RESOLVE_IN_ROOT), so a symlink in the image (<c>/app -> /etc</c>, <c>x -> ../../..</c>) is followed inside
/// it and never out of it; final components are created with *at calls that do not follow them.
/// </summary>
internal sealed class DestinationRoot : IDisposable
{
    private readonly string _root;
    private readonly string _realRoot;

    public DestinationRoot(string root)
    {
        _root = root;
        Directory.CreateDirectory(root);
        _realRoot = Posix.RealPath(root) ?? throw Posix.Failure($"resolving {root}");
        Fd = Posix.OpenAt(Posix.AT_FDCWD, _realRoot, Posix.O_PATH | Posix.O_DIRECTORY | Posix.O_CLOEXEC, 0);
        if (Fd < 0) throw Posix.Failure($"opening {root}");
    }

    public int Fd { get; private set; }

    /// <summary>Opens a path inside the root following symlinks within it; -1 with errno when it is not there.</summary>
    public int Open(string relative, int flags) =>
        relative.Length == 0
            ? Posix.OpenAt(Fd, ".", flags | Posix.O_CLOEXEC, 0)
            : Posix.OpenAt2(Fd, relative, flags | Posix.O_CLOEXEC, Posix.RESOLVE_IN_ROOT | Posix.RESOLVE_NO_MAGICLINKS);

    /// <summary>The type of what <paramref name="relative"/> resolves to (symlinks followed inside the root), or null.</summary>
    public uint? TypeOf(string relative)
    {
        var fd = Open(relative, Posix.O_PATH);
        if (fd < 0)
        {
            var errno = Posix.LastError;
            if (errno is Posix.ENOENT or Posix.ENOTDIR) return null;
            throw Posix.Failure($"resolving \"/{relative}\" in the destination", errno);
        }
        try { return TypeOfFd(fd); }
        finally { Posix.Close(fd); }
    }

    public static uint TypeOfFd(int fd)
    {
        if (Posix.StatxAt(fd, "", Posix.AT_EMPTY_PATH | Posix.AT_SYMLINK_NOFOLLOW, Posix.STATX_BASIC_STATS, out var st) != 0)
            throw Posix.Failure("stat");
        return st.Mode & Posix.S_IFMT;
    }

    /// <summary>The real path of an open descriptor relative to the root ("" for the root itself).</summary>
    public string RelativePathOf(int fd)
    {
        var real = Posix.ReadLink(Posix.AT_FDCWD, $"/proc/self/fd/{fd}") ?? throw Posix.Failure("readlink");
        if (real == _realRoot) return "";
        if (!real.StartsWith(_realRoot + "/", StringComparison.Ordinal))
            throw new IOException($"a destination path resolved outside {_root} ({real})");
        return real[(_realRoot.Length + 1)..];
    }

    /// <summary>
    /// Opens directory <paramref name="relative"/>, creating missing ones (mode 0755, <paramref name="owner"/>,
    /// <paramref name="time"/>) like BuildKit's MkdirAll for a copy's destination. Returns an O_PATH descriptor.
    /// </summary>
    public int EnsureDirectory(string relative, (uint Uid, uint Gid) owner, DateTimeOffset time) => EnsureDirectory(relative, owner, time, 0);

    private int EnsureDirectory(string relative, (uint Uid, uint Gid) owner, DateTimeOffset time, int symlinksFollowed)
    {
        var fd = Open(relative, Posix.O_PATH | Posix.O_DIRECTORY);
        if (fd >= 0) return fd;
        var errno = Posix.LastError;
        if (errno == Posix.ENOSYS) throw new PlatformNotSupportedException("copying safely needs openat2 (Linux 5.6 or later)");
        if (errno == Posix.ENOTDIR) throw new IOException($"cannot create directory \"/{relative}\": it or one of its parents is not a directory");
        if (errno != Posix.ENOENT) throw Posix.Failure($"resolving \"/{relative}\" in the destination", errno);

        var (parent, name) = ContextPath.Split(relative);
        var parentFd = EnsureDirectory(parent, owner, time, symlinksFollowed);
        try
        {
            if (Posix.MkdirAt(parentFd, name, 0x1ed) != 0)
            {
                errno = Posix.LastError;
                if (errno != Posix.EEXIST) throw Posix.Failure($"creating directory \"/{relative}\"", errno);
                // A dangling symlink: like BuildKit (fs.RootPath, then MkdirAll) create its target, inside the root.
                var target = Posix.ReadLink(parentFd, name)
                    ?? throw new IOException($"cannot create directory \"/{relative}\": something is in the way");
                if (symlinksFollowed >= 40) throw new IOException($"cannot create directory \"/{relative}\": too many levels of symlinks");
                var resolved = ContextPath.Clean(target.StartsWith('/') ? target : ContextPath.Join(parent, target));
                Posix.Close(EnsureDirectory(resolved, owner, time, symlinksFollowed + 1));
                var followed = Open(relative, Posix.O_PATH | Posix.O_DIRECTORY);
                if (followed < 0) throw Posix.Failure($"opening \"/{relative}\"");
                return followed;
            }
            // mkdir applies the umask: set the mode explicitly.
            if (Posix.FchownAt(parentFd, name, owner.Uid, owner.Gid, Posix.AT_SYMLINK_NOFOLLOW) != 0 ||
                Posix.FchmodAt(parentFd, name, 0x1ed, 0) != 0 ||
                Posix.SetTimes(parentFd, name, time) != 0)
                throw Posix.Failure($"setting metadata of \"/{relative}\"");
        }
        finally { Posix.Close(parentFd); }
        fd = Open(relative, Posix.O_PATH | Posix.O_DIRECTORY);
        if (fd < 0) throw Posix.Failure($"opening \"/{relative}\"");
        return fd;
    }

    public void Dispose()
    {
        if (Fd >= 0) Posix.Close(Fd);
        Fd = -1;
    }
}
