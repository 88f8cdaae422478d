using System.Runtime.InteropServices;

namespace Ashlar.Images.Native;

/// <summary>
/// Getting a large blob to disk: writeback started early (so the fsync that commits it finds most of it written),
/// or O_DIRECT switched on for the open file (so its bytes bypass the page cache).
/// </summary>
internal static partial class LibC
{
    public const uint SYNC_FILE_RANGE_WRITE = 2;

    public const int F_GETFL = 3, F_SETFL = 4;
    // O_DIRECT differs between x86-64 and the generic (arm64) ABI.
    public static readonly int O_DIRECT = IsX86 ? 0x4000 : 0x10000;

    /// <summary>sync_file_range(2); nbytes 0 means to the end of the file. Returns 0 or -1 with errno set.</summary>
    [LibraryImport(Lib, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(SafeHandle fd, long offset, long nbytes, uint flags);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeHandle fd, int command, int argument);

    /// <summary>Sets or clears O_DIRECT on an open file; false when the filesystem refuses it (tmpfs before Linux 6.6, some FUSE).</summary>
    public static bool SetDirectIo(SafeHandle fd, bool on)
    {
        var flags = Fcntl(fd, F_GETFL, 0);
        if (flags < 0) return false;
        return Fcntl(fd, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0;
    }
}
