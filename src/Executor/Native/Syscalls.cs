using System.Runtime.InteropServices;

namespace Ashlar.Executor.Native;

/// <summary>
/// Raw system calls. setresuid/setresgid/setgroups go through syscall(2) on purpose: glibc's wrappers apply
/// them to every thread of the process with a signal, which is neither needed nor safe in the init.
/// </summary>
internal static unsafe class Syscalls
{
    private static readonly bool Arm64 = RuntimeInformation.ProcessArchitecture == Architecture.Arm64;

    // Numbers that differ between the two architectures we build for.
    private static long SetResUid => Arm64 ? 147 : 117;
    private static long SetResGid => Arm64 ? 149 : 119;
    private static long SetGroups => Arm64 ? 159 : 116;
    private static long PivotRootNumber => Arm64 ? 41 : 155;
    private static long RtSigactionNumber => Arm64 ? 134 : 13;
    private static long WaitIdNumber => Arm64 ? 95 : 247;
    private static long BpfNumber => Arm64 ? 280 : 321;
    private static long CapGetNumber => Arm64 ? 90 : 125;
    private static long CapSetNumber => Arm64 ? 91 : 126;

    // The unified syscall table (same on every architecture since 5.x).
    private const long PidfdSendSignalNumber = 424, MoveMountNumber = 429, FsOpenNumber = 430, FsConfigNumber = 431,
        FsMountNumber = 432, PidfdOpenNumber = 434, CloseRangeNumber = 436;

    public const uint FSOPEN_CLOEXEC = 1, FSMOUNT_CLOEXEC = 1, MOVE_MOUNT_F_EMPTY_PATH = 4;
    public const uint FSCONFIG_SET_FLAG = 0, FSCONFIG_SET_STRING = 1, FSCONFIG_CMD_CREATE = 6;
    public const uint CLOSE_RANGE_CLOEXEC = 4;

    public static int SetResUserId(uint uid) => (int)LibC.syscall(SetResUid, uid, uid, uid, 0, 0);
    public static int SetResGroupId(uint gid) => (int)LibC.syscall(SetResGid, gid, gid, gid, 0, 0);

    public static int SetSupplementaryGroups(ReadOnlySpan<uint> groups)
    {
        fixed (uint* list = groups)
            return (int)LibC.syscall(SetGroups, groups.Length, (long)list, 0, 0, 0);
    }

    /// <summary>
    /// rt_sigaction(sig, SIG_DFL) straight to the kernel: glibc's wrappers refuse its internal signals 32 and 33,
    /// and an ignored one would survive exec.
    /// </summary>
    public static int ResetSignal(int signal)
    {
        var action = stackalloc byte[32]; // struct kernel_sigaction, all zero: SIG_DFL, no flags, empty mask
        new Span<byte>(action, 32).Clear();
        return (int)LibC.syscall(RtSigactionNumber, signal, (long)action, 0, 8, 0);
    }

    /// <summary>waitid(2) as the kernel has it, with the fifth argument glibc hides: the child's rusage.</summary>
    public static int WaitId(int idType, int id, byte* info, int options, byte* rusage) =>
        (int)LibC.syscall(WaitIdNumber, idType, id, (long)info, options, (long)rusage);

    public static int PivotRoot(byte* newRoot, byte* putOld) => (int)LibC.syscall(PivotRootNumber, (long)newRoot, (long)putOld, 0, 0, 0);
    public static int PidfdOpen(int pid) => (int)LibC.syscall(PidfdOpenNumber, pid, 0, 0, 0, 0);
    public static int PidfdSendSignal(int pidfd, int signal) => (int)LibC.syscall(PidfdSendSignalNumber, pidfd, signal, 0, 0, 0);
    public static int FsOpen(byte* fileSystem, uint flags) => (int)LibC.syscall(FsOpenNumber, (long)fileSystem, flags, 0, 0, 0);
    public static int FsConfig(int fd, uint command, byte* key, byte* value, int aux) => (int)LibC.syscall(FsConfigNumber, fd, command, (long)key, (long)value, aux);
    public static int FsMount(int fd, uint flags, uint attributes) => (int)LibC.syscall(FsMountNumber, fd, flags, attributes, 0, 0);
    public static int MoveMount(int fromDirFd, byte* fromPath, int toDirFd, byte* toPath, uint flags)
    {
        // move_mount has five arguments; the wrapper passes them in order.
        return (int)LibC.syscall(MoveMountNumber, fromDirFd, (long)fromPath, toDirFd, (long)toPath, flags);
    }
    public static int Bpf(int command, byte* attributes, int size) => (int)LibC.syscall(BpfNumber, command, (long)attributes, size, 0, 0);

    /// <summary>
    /// Empties the inheritable capability set of this thread, keeping its effective and permitted sets: a root exec
    /// adds the inheritable set to what the bounding set allows, and Docker's containers start with none.
    /// </summary>
    public static int ClearInheritableCapabilities()
    {
        var header = stackalloc uint[2] { 0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0 };
        var data = stackalloc uint[6]; // two struct __user_cap_data_struct { effective, permitted, inheritable }
        if (LibC.syscall(CapGetNumber, (long)header, (long)data, 0, 0, 0) != 0) return -1;
        data[2] = 0;
        data[5] = 0;
        return (int)LibC.syscall(CapSetNumber, (long)header, (long)data, 0, 0, 0);
    }

    public static int CloseRange(uint first, uint last, uint flags) => (int)LibC.syscall(CloseRangeNumber, first, last, flags, 0, 0);
}
