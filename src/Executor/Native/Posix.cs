namespace Ashlar.Executor.Native;

/// <summary>String-friendly wrappers over <see cref="LibC"/>; each returns the raw result (errno in <see cref="LibC.Errno"/>).</summary>
internal static unsafe class Posix
{
    public static int Mount(string? source, string target, string? fileSystemType, ulong flags, string? data)
    {
        var s = source is null ? null : LibC.Utf8(source);
        var t = LibC.Utf8(target);
        var f = fileSystemType is null ? null : LibC.Utf8(fileSystemType);
        var d = data is null ? null : LibC.Utf8(data);
        fixed (byte* ps = s, pt = t, pf = f, pd = d)
            return LibC.mount(ps, pt, pf, flags, pd);
    }

    public static int Unmount(string target, int flags)
    {
        fixed (byte* p = LibC.Utf8(target)) return LibC.umount2(p, flags);
    }

    public static int ChangeDirectory(string path)
    {
        fixed (byte* p = LibC.Utf8(path)) return LibC.chdir(p);
    }

    public static int MakeNode(string path, uint mode, ulong device)
    {
        fixed (byte* p = LibC.Utf8(path)) return LibC.mknod(p, mode, device);
    }

    public static int Symlink(string target, string linkPath)
    {
        fixed (byte* t = LibC.Utf8(target), l = LibC.Utf8(linkPath)) return LibC.symlink(t, l);
    }

    public static int Open(string path, int flags, uint mode = 0)
    {
        fixed (byte* p = LibC.Utf8(path)) return LibC.open(p, flags, mode);
    }

    /// <summary>lstat through statx (one struct layout on every architecture); null when the path does not exist.</summary>
    public static FileStatus? LStat(string path)
    {
        var buffer = stackalloc byte[256];
        fixed (byte* p = LibC.Utf8(path))
            if (LibC.statx(LibC.AT_FDCWD, p, LibC.AT_SYMLINK_NOFOLLOW, 0x7ff, buffer) != 0)
                return null;
        return FileStatus.FromStatx(buffer);
    }

    public static string? ReadLink(string path)
    {
        var buffer = new byte[4096];
        fixed (byte* p = LibC.Utf8(path), b = buffer)
        {
            var n = LibC.readlink(p, b, buffer.Length);
            return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
        }
    }

    /// <summary>Names of a path's extended attributes (not following symlinks).</summary>
    public static IReadOnlyList<string> ListXattrs(string path)
    {
        fixed (byte* p = LibC.Utf8(path))
        {
            var size = LibC.llistxattr(p, null, 0);
            if (size <= 0) return [];
            var buffer = new byte[size];
            fixed (byte* b = buffer)
                size = LibC.llistxattr(p, b, buffer.Length);
            if (size <= 0) return [];
            return System.Text.Encoding.UTF8.GetString(buffer, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
    }

    public static byte[]? GetXattr(string path, string name)
    {
        fixed (byte* p = LibC.Utf8(path), n = LibC.Utf8(name))
        {
            var size = LibC.lgetxattr(p, n, null, 0);
            if (size < 0) return null;
            var buffer = new byte[size];
            fixed (byte* b = buffer)
                size = LibC.lgetxattr(p, n, b, buffer.Length);
            return size < 0 ? null : buffer.AsSpan(0, (int)size).ToArray();
        }
    }

    public static int SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* p = LibC.Utf8(path), n = LibC.Utf8(name), v = value)
            return LibC.lsetxattr(p, n, v, value.Length, 0);
    }

    public static int Link(string existing, string newPath)
    {
        fixed (byte* e = LibC.Utf8(existing), n = LibC.Utf8(newPath)) return LibC.link(e, n);
    }
}
