using System.Runtime.InteropServices;

namespace Ashlar.Images.Native;

/// <summary>Files and directories: open, the *at calls, statx, times, links, device nodes, fsync and flock.</summary>
internal static unsafe partial class LibC
{
    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

    public const long UTIME_OMIT = (1L << 30) - 2;

    public const uint STATX_BASIC_STATS = 0x7ff;

    // openat2 has the same number on every architecture (the unified syscall table).
    private const long SYS_openat2 = 437;

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        private int _reserved;
    }

    /// <summary>Linux <c>struct statx</c>: its layout is the same on every architecture, unlike <c>struct stat</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Statx
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint LinkCount;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private ushort _spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp AccessTime;
        public StatxTimestamp BirthTime;
        public StatxTimestamp ChangeTime;
        public StatxTimestamp ModifyTime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
        private fixed ulong _spare[14];
    }

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirFd, string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, int dirFd, string path, OpenHow* how, nuint size);

    /// <summary>openat2(2), retried on EINTR; returns -1 with errno set on failure (ENOSYS before Linux 5.6).</summary>
    public static int OpenAt2(int dirFd, string path, int flags, ulong resolve)
    {
        var how = new OpenHow { Flags = (ulong)flags, Resolve = resolve };
        long fd;
        do fd = Syscall(SYS_openat2, dirFd, path, &how, (nuint)sizeof(OpenHow));
        while (fd < 0 && LastError == EINTR);
        return (int)fd;
    }

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport(Lib, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirFd, string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "mknodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MknodAt(int dirFd, string path, uint mode, ulong device);

    [LibraryImport(Lib, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, int dirFd, string path);

    [LibraryImport(Lib, EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LinkAt(int oldDirFd, string oldPath, int newDirFd, string newPath, int flags);

    [LibraryImport(Lib, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirFd, string path, int flags);

    [LibraryImport(Lib, EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchownAt(int dirFd, string path, uint uid, uint gid, int flags);

    [LibraryImport(Lib, EntryPoint = "fchmodat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchmodAt(int dirFd, string path, uint mode, int flags);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int dirFd, string path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatxAt(int dirFd, string path, int flags, uint mask, out Statx buffer);

    [LibraryImport(Lib, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadlinkAt(int dirFd, string path, byte* buffer, nuint size);

    [LibraryImport(Lib, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport(Lib, EntryPoint = "free")]
    private static partial void Free(nint pointer);

    [LibraryImport(Lib, EntryPoint = "copy_file_range", SetLastError = true)]
    public static partial nint CopyFileRange(int inFd, long* inOffset, int outFd, long* outOffset, nuint length, uint flags);

    /// <summary>realpath(3); null with errno set on failure.</summary>
    public static string? RealPath(string path)
    {
        var result = RealPathNative(path, 0);
        if (result == 0) return null;
        try { return Marshal.PtrToStringUTF8(result); }
        finally { Free(result); }
    }

    /// <summary>readlinkat(2) as a string; null with errno set on failure.</summary>
    public static string? ReadLink(int dirFd, string path)
    {
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            var n = ReadlinkAt(dirFd, path, p, (nuint)buffer.Length);
            return n < 0 ? null : System.Text.Encoding.UTF8.GetString(buffer, 0, (int)n);
        }
    }

    /// <summary>Sets access and modification time of <paramref name="path"/> in a directory, never following it.</summary>
    public static int SetTimes(int dirFd, string path, DateTimeOffset mtime)
    {
        var time = ToTimespec(mtime);
        var times = stackalloc Timespec[2] { time, time };
        return UtimensAt(dirFd, path, times, AT_SYMLINK_NOFOLLOW);
    }

    public static Timespec ToTimespec(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var result = new Timespec { Seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem), Nanoseconds = rem * 100 };
        if (result.Nanoseconds < 0) { result.Seconds--; result.Nanoseconds += 1_000_000_000; }
        return result;
    }

    public static DateTimeOffset ToTime(StatxTimestamp time) =>
        DateTimeOffset.UnixEpoch.AddTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);

    /// <summary>glibc's makedev.</summary>
    public static ulong MakeDevice(int major, int minor)
    {
        ulong ma = (uint)major, mi = (uint)minor;
        return ((ma & 0xfffff000UL) << 32) | ((ma & 0xfffUL) << 8) | ((mi & 0xffffff00UL) << 12) | (mi & 0xffUL);
    }
}
