using System.Runtime.InteropServices;

namespace Ashlar.Images.Native;

/// <summary>
/// The libc calls that .NET does not expose, for the store, the unpacker and the builder's COPY/ADD: *at calls on
/// directory descriptors (so a symlink planted in a rootfs is never followed out of it), openat2 with
/// RESOLVE_IN_ROOT, statx, device nodes, ownership, xattrs, nanosecond times, flock, fsync and host mounts.
/// Source-generated P/Invoke (LibraryImport), so it stays NativeAOT clean. Split by concern across LibC.*.cs.
/// The container init and spawn path do not use this: the executor keeps its own marshalling-free DllImports.
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
    public const int O_CREAT = 0x40, O_EXCL = 0x80, O_TRUNC = 0x200;
    public const int O_CLOEXEC = 0x80000, O_PATH = 0x200000;
    // O_DIRECTORY and O_NOFOLLOW differ between x86-64 and the generic (arm64) ABI.
    public static readonly int O_DIRECTORY = IsX86 ? 0x10000 : 0x4000;
    public static readonly int O_NOFOLLOW = IsX86 ? 0x20000 : 0x8000;

    public const uint S_IFMT = 0xF000, S_IFIFO = 0x1000, S_IFCHR = 0x2000, S_IFDIR = 0x4000,
        S_IFBLK = 0x6000, S_IFREG = 0x8000, S_IFLNK = 0xA000, S_IFSOCK = 0xC000;

    public const int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

    public const int EEXIST = 17, ENOENT = 2, ENOTDIR = 20, EISDIR = 21, ENOSYS = 38, EINTR = 4,
        EXDEV = 18, ELOOP = 40, ENODATA = 61, ERANGE = 34, EOPNOTSUPP = 95, EPERM = 1, EWOULDBLOCK = 11;

    private static bool IsX86 => RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86;

    [LibraryImport(Lib, EntryPoint = "geteuid")]
    public static partial uint GetEuid();

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>An <see cref="IOException"/> for the last failed call, naming what was being done.</summary>
    public static IOException Failure(string what, int? errno = null)
    {
        var code = errno ?? LastError;
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)}", code);
    }
}
