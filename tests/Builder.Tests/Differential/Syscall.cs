using System.Runtime.InteropServices;

namespace Ashlar.Builder.Tests.Differential;

/// <summary>The two libc calls the daemon's shutdown needs: a gentle SIGTERM (Process.Kill is SIGKILL) and a lazy unmount.</summary>
internal static class Syscall
{
    public const int SigTerm = 15;
    private const int MntDetach = 2;

    public static void Kill(int pid, int signal) => _ = kill(pid, signal);

    public static void Unmount(string path) => _ = umount2(path, MntDetach);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc", SetLastError = true)]
    private static extern int umount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);
}
