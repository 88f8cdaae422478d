using System.Runtime.InteropServices;

namespace Ashlar.Images.Native;

/// <summary>
/// The few libc calls the store and the unpacker need that .NET does not expose: *at calls on directory
/// descriptors, openat2 (RESOLVE_IN_ROOT), device nodes, ownership, xattrs, nanosecond times, flock, fsync.
/// Source-generated P/Invoke, so it stays NativeAOT clean.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public const int O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200;
    public const int O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    // O_DIRECTORY and O_NOFOLLOW differ between x86-64 and the generic (arm64) ABI.
    public static readonly int O_DIRECTORY = IsX86 ? 0x10000 : 0x4000;
    public static readonly int O_NOFOLLOW = IsX86 ? 0x20000 : 0x8000;

    public const ulong RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_IN_ROOT = 0x10;

    public const uint S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000,
        S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFLNK = 0xA000;

    public const int LOCK_EX = 2, LOCK_UN = 8;

    public const int EEXIST = 17, ENOENT = 2, ENOTDIR = 20, EISDIR = 21, ENOSYS = 38, EINTR = 4,
        EXDEV = 18, ELOOP = 40, ENODATA = 61, ERANGE = 34, EOPNOTSUPP = 95, EPERM = 1;

    public const long UTIME_OMIT = (1L << 30) - 2;
    public const int XATTR_NOFOLLOW = 0;

    private static bool IsX86 => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

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

    public const uint STATX_BASIC_STATS = 0x7ff;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirFd, string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall(long number, int dirFd, string path, OpenHow* how, nuint size);

    public static int OpenAt2(int dirFd, string path, ulong flags, ulong resolve)
    {
        var how = new OpenHow { Flags = flags, Resolve = resolve };
        return (int)Syscall(SYS_openat2, dirFd, path, &how, (nuint)sizeof(OpenHow));
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

    [LibraryImport(Lib, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LSetXattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Lib, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LListXattr(string path, byte* list, nuint size);

    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LGetXattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>An <see cref="IOException"/> for the last failed call, naming what was being done.</summary>
    public static IOException Failure(string what, int? errno = null)
    {
        var code = errno ?? LastError;
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)}", code);
    }

    /// <summary>glibc's makedev.</summary>
    public static ulong MakeDevice(int major, int minor)
    {
        ulong ma = (uint)major, mi = (uint)minor;
        return ((ma & 0xfffff000UL) << 32) | ((ma & 0xfffUL) << 8) | ((mi & 0xffffff00UL) << 12) | (mi & 0xffUL);
    }

    /// <summary>Reads every extended attribute of a path without following a final symlink.</summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> ListXattrs(string path)
    {
        var size = LListXattr(path, null, 0);
        if (size <= 0) return [];
        var names = new byte[size];
        fixed (byte* p = names) size = LListXattr(path, p, (nuint)names.Length);
        if (size <= 0) return [];
        var result = new List<KeyValuePair<string, byte[]>>();
        foreach (var name in System.Text.Encoding.UTF8.GetString(names, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var valueSize = LGetXattr(path, name, null, 0);
            if (valueSize < 0) continue;
            var value = new byte[valueSize];
            if (valueSize > 0)
                fixed (byte* v = value) valueSize = LGetXattr(path, name, v, (nuint)value.Length);
            if (valueSize < 0) continue;
            result.Add(new(name, value[..(int)valueSize]));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* v = value)
            if (LSetXattr(path, name, v, (nuint)value.Length, 0) != 0)
                throw Failure($"setting xattr {name} on {path}");
    }
}
