using System.Runtime.InteropServices;

namespace Ashlar.Builder.Native;

/// <summary>
/// SOURCE_DATE_EPOCH for a step's changes: every entry of an upper directory newer than the epoch gets the epoch as
/// its mtime (BuildKit's rewrite-timestamp), symlinks included (utimensat with AT_SYMLINK_NOFOLLOW), so the layer
/// is the same whenever it is built.
/// </summary>
internal static partial class TimestampClamp
{
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static void Apply(string upperDirectory, DateTimeOffset epoch)
    {
        var limit = epoch.ToUnixTimeSeconds();
        foreach (var entry in Directory.EnumerateFileSystemEntries(upperDirectory, "*", new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = 0,
            IgnoreInaccessible = false,
        }))
            Clamp(entry, limit);
    }

    private static void Clamp(string path, long limit)
    {
        var info = new FileInfo(path);
        var mtime = new DateTimeOffset(info.LinkTarget is null && Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : info.LastWriteTimeUtc);
        if (mtime.ToUnixTimeSeconds() < limit) return;
        Span<Timespec> times = [new Timespec { Seconds = limit }, new Timespec { Seconds = limit }];
        if (utimensat(AT_FDCWD, path, ref times[0], AT_SYMLINK_NOFOLLOW) != 0)
            throw new IOException($"setting the time of {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int utimensat(int directoryFd, string path, ref Timespec times, int flags);
}
