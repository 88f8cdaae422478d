using System.Runtime.InteropServices;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Native;

/// <summary>chown(2)/lchown(2): .NET has no API to set a file's owner.</summary>
internal static class FileOwner
{
    // fchownat from AT_FDCWD is chown (flags 0) or lchown (AT_SYMLINK_NOFOLLOW); -1 (no change) keeps its bits as uint.
    public static void Change(string path, int uid, int gid) =>
        Check(LibC.FchownAt(LibC.AT_FDCWD, path, (uint)uid, (uint)gid, 0), path);

    public static void ChangeLink(string path, int uid, int gid) =>
        Check(LibC.FchownAt(LibC.AT_FDCWD, path, (uint)uid, (uint)gid, LibC.AT_SYMLINK_NOFOLLOW), path);

    private static void Check(int result, string path)
    {
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }
}
