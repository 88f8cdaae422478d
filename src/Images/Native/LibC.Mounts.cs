using System.Runtime.InteropServices;

namespace Ashlar.Images.Native;

/// <summary>mount(2) and umount2(2) on the host (a snapshot mounted for file steps).</summary>
internal static partial class LibC
{
    public const ulong MS_RDONLY = 1;
    public const int MNT_DETACH = 2;

    [LibraryImport(Lib, EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport(Lib, EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Unmount(string target, int flags);
}
