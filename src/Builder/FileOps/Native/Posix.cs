using System.Runtime.InteropServices;

namespace Ashlar.Builder.FileOps.Native;

/// <summary>
/// The libc calls COPY/ADD need that .NET does not expose: *at calls on directory descriptors (so a symlink planted in a
/// rootfs is never followed out of it), openat2 with RESOLVE_IN_ROOT, statx (inode, device, ctime for the stat cache
/// and hard links), ownership and nanosecond times. Source-generated P/Invoke, NativeAOT clean.
/// </summary>
internal static unsafe partial class Posix
{
    private const string Lib = "libc";

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int O_RDONLY = 0, O_WRONLY = 1;
    public const int O_CREAT = 0x40, O_EXCL = 0x80;
    public const int O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    // O_DIRECTORY and O_NOFOLLOW differ between x86-64 and the generic (arm64) ABI.
    public static readonly int O_DIRECTORY = IsX86 ? 0x10000 : 0x4000;
    public static readonly int O_NOFOLLOW = IsX86 ? 0x20000 : 0x8000;

    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

    public const uint S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000,
        S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;

    public const int EEXIST = 17, ENOENT = 2, ENOTDIR = 20, ENOSYS = 38, EINTR = 4, ELOOP = 40;

    public const uint STATX_BASIC_STATS = 0x7ff;

    private static bool IsX86 => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;
    private const long SYS_openat2 = 437; // same number on every architecture (unified syscall table)

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
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
        private fixed ulong _spare2[14];
    }

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirFd, string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, int dirFd, string path, OpenHow* how, nuint size);

    /// <summary>openat2(2); returns -1 with errno set on failure (ENOSYS before Linux 5.6).</summary>
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
    private static partial int UtimensAt(int dirFd, string path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int StatxAt(int dirFd, string path, int flags, uint mask, out Statx buffer);

    [LibraryImport(Lib, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint ReadlinkAt(int dirFd, string path, byte* buffer, nuint size);

    [LibraryImport(Lib, EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint RealPathNative(string path, nint resolved);

    [LibraryImport(Lib, EntryPoint = "free")]
    private static partial void Free(nint pointer);

    /// <summary>realpath(3); null with errno set on failure.</summary>
    public static string? RealPath(string path)
    {
        var result = RealPathNative(path, 0);
        if (result == 0) return null;
        try { return Marshal.PtrToStringUTF8(result); }
        finally { Free(result); }
    }

    [LibraryImport(Lib, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LListXattr(string path, byte* list, nuint size);

    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint LGetXattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Lib, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LSetXattr(string path, string name, byte* value, nuint size, int flags);

    /// <summary>Every extended attribute of a path (not following a final symlink); empty when there are none or no support.</summary>
    public static List<KeyValuePair<string, byte[]>> ListXattrs(string path)
    {
        var result = new List<KeyValuePair<string, byte[]>>();
        var size = LListXattr(path, null, 0);
        if (size <= 0) return result;
        var names = new byte[size];
        fixed (byte* p = names) size = LListXattr(path, p, (nuint)names.Length);
        if (size <= 0) return result;
        foreach (var name in System.Text.Encoding.UTF8.GetString(names, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var length = LGetXattr(path, name, null, 0);
            if (length < 0) continue;
            var value = new byte[length];
            fixed (byte* v = value) length = LGetXattr(path, name, v, (nuint)value.Length);
            if (length >= 0) result.Add(new(name, value[..(int)length]));
        }
        return result;
    }

    /// <summary>lsetxattr(2); returns 0 or -1 with errno set.</summary>
    public static int SetXattr(string path, string name, byte[] value)
    {
        fixed (byte* v = value) return LSetXattr(path, name, v, (nuint)value.Length, 0);
    }

    [LibraryImport(Lib, EntryPoint = "copy_file_range", SetLastError = true)]
    public static partial nint CopyFileRange(int inFd, long* inOffset, int outFd, long* outOffset, nuint length, uint flags);

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>An <see cref="IOException"/> for the last failed call, naming what was being done.</summary>
    public static IOException Failure(string what, int? errno = null)
    {
        var code = errno ?? LastError;
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)}", code);
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
}
