using Ashlar.Builder.Context;
using Ashlar.Images.Native;

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
        _realRoot = LibC.RealPath(root) ?? throw LibC.Failure($"resolving {root}");
        Fd = LibC.OpenAt(LibC.AT_FDCWD, _realRoot, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (Fd < 0) throw LibC.Failure($"opening {root}");
    }

    public int Fd { get; private set; }

    /// <summary>Opens a path inside the root following symlinks within it; -1 with errno when it is not there.</summary>
    public int Open(string relative, int flags) =>
        relative.Length == 0
            ? LibC.OpenAt(Fd, ".", flags | LibC.O_CLOEXEC, 0)
            : LibC.OpenAt2(Fd, relative, flags | LibC.O_CLOEXEC, LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);

    /// <summary>The type of what <paramref name="relative"/> resolves to (symlinks followed inside the root), or null.</summary>
    public uint? TypeOf(string relative)
    {
        var fd = Open(relative, LibC.O_PATH);
        if (fd < 0)
        {
            var errno = LibC.LastError;
            if (errno is LibC.ENOENT or LibC.ENOTDIR) return null;
            throw LibC.Failure($"resolving \"/{relative}\" in the destination", errno);
        }
        try { return TypeOfFd(fd); }
        finally { LibC.Close(fd); }
    }

    public static uint TypeOfFd(int fd)
    {
        if (LibC.StatxAt(fd, "", LibC.AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
            throw LibC.Failure("stat");
        return st.Mode & LibC.S_IFMT;
    }

    /// <summary>The real path of an open descriptor relative to the root ("" for the root itself).</summary>
    public string RelativePathOf(int fd)
    {
        var real = LibC.ReadLink(LibC.AT_FDCWD, $"/proc/self/fd/{fd}") ?? throw LibC.Failure("readlink");
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
        var fd = Open(relative, LibC.O_PATH | LibC.O_DIRECTORY);
        if (fd >= 0) return fd;
        var errno = LibC.LastError;
        if (errno == LibC.ENOSYS) throw new PlatformNotSupportedException("copying safely needs openat2 (Linux 5.6 or later)");
        if (errno == LibC.ENOTDIR) throw new IOException($"cannot create directory \"/{relative}\": it or one of its parents is not a directory");
        if (errno != LibC.ENOENT) throw LibC.Failure($"resolving \"/{relative}\" in the destination", errno);

        var (parent, name) = ContextPath.Split(relative);
        var parentFd = EnsureDirectory(parent, owner, time, symlinksFollowed);
        try
        {
            if (LibC.MkdirAt(parentFd, name, 0x1ed) != 0)
            {
                errno = LibC.LastError;
                if (errno != LibC.EEXIST) throw LibC.Failure($"creating directory \"/{relative}\"", errno);
                // A dangling symlink: like BuildKit (fs.RootPath, then MkdirAll) create its target, inside the root.
                var target = LibC.ReadLink(parentFd, name)
                    ?? throw new IOException($"cannot create directory \"/{relative}\": something is in the way");
                if (symlinksFollowed >= 40) throw new IOException($"cannot create directory \"/{relative}\": too many levels of symlinks");
                var resolved = ContextPath.Clean(target.StartsWith('/') ? target : ContextPath.Join(parent, target));
                LibC.Close(EnsureDirectory(resolved, owner, time, symlinksFollowed + 1));
                var followed = Open(relative, LibC.O_PATH | LibC.O_DIRECTORY);
                if (followed < 0) throw LibC.Failure($"opening \"/{relative}\"");
                return followed;
            }
            // mkdir applies the umask: set the mode explicitly.
            if (LibC.FchownAt(parentFd, name, owner.Uid, owner.Gid, LibC.AT_SYMLINK_NOFOLLOW) != 0 ||
                LibC.FchmodAt(parentFd, name, 0x1ed, 0) != 0 ||
                LibC.SetTimes(parentFd, name, time) != 0)
                throw LibC.Failure($"setting metadata of \"/{relative}\"");
        }
        finally { LibC.Close(parentFd); }
        fd = Open(relative, LibC.O_PATH | LibC.O_DIRECTORY);
        if (fd < 0) throw LibC.Failure($"opening \"/{relative}\"");
        return fd;
    }

    public void Dispose()
    {
        if (Fd >= 0) LibC.Close(Fd);
        Fd = -1;
    }
}
