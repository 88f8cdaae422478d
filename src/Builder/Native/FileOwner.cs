using System.Runtime.InteropServices;

namespace Ashlar.Builder.Native;

/// <summary>chown(2)/lchown(2): .NET has no API to set a file's owner.</summary>
internal static partial class FileOwner
{
    public static void Change(string path, int uid, int gid) => Check(chown(path, uid, gid), path);

    public static void ChangeLink(string path, int uid, int gid) => Check(lchown(path, uid, gid), path);

    private static void Check(int result, string path)
    {
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, int uid, int gid);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, int uid, int gid);
}
