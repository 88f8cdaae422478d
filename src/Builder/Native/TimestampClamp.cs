using System.IO.Enumeration;
using System.Runtime.InteropServices;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Native;

/// <summary>
/// SOURCE_DATE_EPOCH for a step's changes: every entry of an upper directory newer than the epoch gets the epoch as
/// its mtime (BuildKit's rewrite-timestamp), symlinks included (utimensat with AT_SYMLINK_NOFOLLOW), so the layer
/// is the same whenever it is built.
/// </summary>
internal static unsafe class TimestampClamp
{
    public static void Apply(string upperDirectory, DateTimeOffset epoch)
    {
        var limit = epoch.ToUnixTimeSeconds();
        // .NET's recursive walk descends into symlinks to directories: an upper directory holding "/x -> /usr" must
        // not lead it to the host's /usr, so it recurses only into real directories.
        var entries = new FileSystemEnumerable<string>(upperDirectory, (ref FileSystemEntry e) => e.ToFullPath(),
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false })
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        foreach (var entry in entries)
            Clamp(entry, limit);
    }

    private static void Clamp(string path, long limit)
    {
        var info = new FileInfo(path);
        var mtime = new DateTimeOffset(info.LinkTarget is null && Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : info.LastWriteTimeUtc);
        if (mtime.ToUnixTimeSeconds() < limit) return;
        var times = stackalloc LibC.Timespec[2] { new() { Seconds = limit }, new() { Seconds = limit } };
        if (LibC.UtimensAt(LibC.AT_FDCWD, path, times, LibC.AT_SYMLINK_NOFOLLOW) != 0)
            throw new IOException($"setting the time of {path}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

}
