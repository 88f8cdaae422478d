using System.Runtime.InteropServices;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Native;

/// <summary>
/// Metadata calls on an open descriptor (fchown, fchmod, futimens): a copied file gets its owner, mode and times
/// without three more path lookups, which through an overlay mount cost far more than the calls themselves.
/// </summary>
internal static unsafe partial class OpenFile
{
    public static void SetOwner(int fd, uint uid, uint gid, string display)
    {
        if (Fchown(fd, uid, gid) != 0) throw LibC.Failure($"chown {uid}:{gid} \"{display}\"");
    }

    public static void SetMode(int fd, uint mode, string display)
    {
        if (Fchmod(fd, mode) != 0) throw LibC.Failure($"chmod \"{display}\"");
    }

    public static void SetTimes(int fd, DateTimeOffset mtime, string display)
    {
        var time = LibC.ToTimespec(mtime);
        var times = stackalloc LibC.Timespec[2] { time, time };
        if (Futimens(fd, times) != 0) throw LibC.Failure($"setting times of \"{display}\"");
    }

    [LibraryImport("libc", EntryPoint = "fchown", SetLastError = true)]
    private static partial int Fchown(int fd, uint uid, uint gid);

    [LibraryImport("libc", EntryPoint = "fchmod", SetLastError = true)]
    private static partial int Fchmod(int fd, uint mode);

    [LibraryImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static partial int Futimens(int fd, LibC.Timespec* times);
}
