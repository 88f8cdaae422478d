using System.Runtime.InteropServices;

namespace Ashlar.Images.Native;

/// <summary>Starting writeback early, so the fsync that commits a large blob finds most of it on disk already.</summary>
internal static partial class LibC
{
    public const uint SYNC_FILE_RANGE_WRITE = 2;

    /// <summary>sync_file_range(2); nbytes 0 means to the end of the file. Returns 0 or -1 with errno set.</summary>
    [LibraryImport(Lib, EntryPoint = "sync_file_range", SetLastError = true)]
    public static partial int SyncFileRange(SafeHandle fd, long offset, long nbytes, uint flags);
}
