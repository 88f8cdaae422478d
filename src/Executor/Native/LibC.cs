using System.Runtime.InteropServices;

namespace Ashlar.Executor.Native;

/// <summary>
/// The libc entry points the executor needs, declared with blittable pointer signatures only so that no
/// marshalling stub runs (and none is JIT-compiled) on the thread that spawns a container.
/// </summary>
internal static unsafe class LibC
{
    private const string Lib = "libc";

    [DllImport(Lib)] public static extern int unshare(int flags);
    [DllImport(Lib)] public static extern int posix_spawn(int* pid, byte* path, void* fileActions, void* attributes, byte** argv, byte** envp);
    [DllImport(Lib)] public static extern int posix_spawn_file_actions_init(void* fileActions);
    [DllImport(Lib)] public static extern int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);
    [DllImport(Lib)] public static extern int posix_spawn_file_actions_destroy(void* fileActions);
    [DllImport(Lib)] public static extern int posix_spawnattr_init(void* attributes);
    [DllImport(Lib)] public static extern int posix_spawnattr_setflags(void* attributes, short flags);
    [DllImport(Lib)] public static extern int posix_spawnattr_setsigdefault(void* attributes, void* signals);
    [DllImport(Lib)] public static extern int posix_spawnattr_setsigmask(void* attributes, void* signals);
    [DllImport(Lib)] public static extern int posix_spawnattr_destroy(void* attributes);
    [DllImport(Lib)] public static extern int sigfillset(void* set);
    // Without SetLastError (errno through Marshal.GetLastSystemError): the JIT inlines these into their caller,
    // so the spawning thread never binds or compiles a stub while it lives in a container's namespaces.
    [DllImport(Lib)] public static extern int setns(int fd, int namespaceType);
    [DllImport(Lib, EntryPoint = "read")] public static extern nint read_inline(int fd, byte* buffer, nint count);
    [DllImport(Lib, EntryPoint = "write")] public static extern nint write_inline(int fd, byte* buffer, nint count);
    [DllImport(Lib, EntryPoint = "close")] public static extern int close_inline(int fd);
    [DllImport(Lib)] public static extern int sigemptyset(void* set);

    [DllImport(Lib, SetLastError = true)] public static extern long syscall(long number, long a1, long a2, long a3, long a4, long a5);
    [DllImport(Lib, SetLastError = true)] public static extern int mount(byte* source, byte* target, byte* fileSystemType, ulong flags, byte* data);
    [DllImport(Lib, SetLastError = true)] public static extern int umount2(byte* target, int flags);
    [DllImport(Lib, SetLastError = true)] public static extern int pipe2(int* fds, int flags);
    [DllImport(Lib, SetLastError = true)] public static extern int close(int fd);
    [DllImport(Lib, SetLastError = true)] public static extern nint read(int fd, byte* buffer, nint count);
    [DllImport(Lib, SetLastError = true)] public static extern nint write(int fd, byte* buffer, nint count);
    [DllImport(Lib, SetLastError = true)] public static extern int open(byte* path, int flags, uint mode);
    [DllImport(Lib, SetLastError = true)] public static extern int fcntl(int fd, int command, int argument);
    [DllImport(Lib, SetLastError = true)] public static extern int memfd_create(byte* name, uint flags);
    [DllImport(Lib, SetLastError = true)] public static extern int waitid(int idType, int id, byte* info, int options);
    [DllImport(Lib, SetLastError = true)] public static extern int chdir(byte* path);
    [DllImport(Lib, SetLastError = true)] public static extern int mkdir(byte* path, uint mode);
    [DllImport(Lib, SetLastError = true)] public static extern int mknod(byte* path, uint mode, ulong device);
    [DllImport(Lib, SetLastError = true)] public static extern int symlink(byte* target, byte* linkPath);
    [DllImport(Lib, SetLastError = true)] public static extern int chmod(byte* path, uint mode);
    [DllImport(Lib, SetLastError = true)] public static extern int sethostname(byte* name, nint length);
    [DllImport(Lib, SetLastError = true)] public static extern int socket(int domain, int type, int protocol);
    [DllImport(Lib, SetLastError = true)] public static extern int ioctl(int fd, ulong request, void* argument);
    [DllImport(Lib, SetLastError = true)] public static extern int prctl(int option, ulong a2, ulong a3, ulong a4, ulong a5);
    [DllImport(Lib, SetLastError = true)] public static extern nint signal(int signal, nint handler);
    [DllImport(Lib, SetLastError = true)] public static extern int sigprocmask(int how, void* set, void* oldSet);
    [DllImport(Lib, SetLastError = true)] public static extern int execve(byte* path, byte** argv, byte** envp);
    [DllImport(Lib)] public static extern void _exit(int status);
    [DllImport(Lib, SetLastError = true)] public static extern int statx(int dirFd, byte* path, int flags, uint mask, byte* buffer);
    [DllImport(Lib, SetLastError = true)] public static extern nint lgetxattr(byte* path, byte* name, byte* value, nint size);
    [DllImport(Lib, SetLastError = true)] public static extern nint llistxattr(byte* path, byte* list, nint size);
    [DllImport(Lib, SetLastError = true)] public static extern int lsetxattr(byte* path, byte* name, byte* value, nint size, int flags);
    [DllImport(Lib, SetLastError = true)] public static extern nint readlink(byte* path, byte* buffer, nint size);
    [DllImport(Lib, SetLastError = true)] public static extern int access(byte* path, int mode);
    [DllImport(Lib, SetLastError = true)] public static extern int poll(void* fds, ulong count, int timeout);
    [DllImport(Lib, SetLastError = true)] public static extern int lchown(byte* path, uint uid, uint gid);
    [DllImport(Lib, SetLastError = true)] public static extern int link(byte* existing, byte* newPath);
    [DllImport(Lib, SetLastError = true)] public static extern int dup2(int fd, int newFd);
    [DllImport(Lib, SetLastError = true)] public static extern int kill(int pid, int signal);
    [DllImport(Lib)] public static extern uint geteuid();
    [DllImport(Lib, SetLastError = true)] public static extern int rmdir(byte* path);

    public const int CLONE_NEWNS = 0x00020000, CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000,
        CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000;
    public const int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CLOEXEC = 0x80000, O_DIRECTORY = 0x10000;
    public const int F_SETFD = 2, FD_CLOEXEC = 1;
    public const uint MFD_CLOEXEC = 1;
    public const int P_PID = 1, P_PIDFD = 3, WEXITED = 4, WNOHANG = 1;
    public const short POLLIN = 1, POLLERR = 8, POLLHUP = 0x10, POLLNVAL = 0x20;
    public const int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
    public const int SIGKILL = 9;
    public const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;
    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
        MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1 << 18, MS_STRICTATIME = 1 << 24;
    public const int MNT_DETACH = 2;
    public const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFLNK = 0xA000, S_IFREG = 0x8000, S_IFBLK = 0x6000,
        S_IFDIR = 0x4000, S_IFCHR = 0x2000, S_IFIFO = 0x1000;
    public const int EINTR = 4, ENOENT = 2, ESRCH = 3, EEXIST = 17, EACCES = 13, ENOEXEC = 8, EBUSY = 16, EINVAL = 22, ENODATA = 61, ENOSYS = 38, ERANGE = 34;
    public const int PR_SET_PDEATHSIG = 1, PR_SET_SECCOMP = 22, PR_CAPBSET_DROP = 24, PR_CAP_AMBIENT = 47, PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public const ulong SECCOMP_MODE_FILTER = 2;
    public const int SIG_SETMASK = 2;
    public const int AF_INET = 2, SOCK_DGRAM = 2;
    public const ulong SIOCGIFFLAGS = 0x8913, SIOCSIFFLAGS = 0x8914;

    /// <summary>The errno of the last call declared with SetLastError.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    /// <summary>A NUL-terminated UTF-8 copy of a string, for <c>fixed</c>.</summary>
    public static byte[] Utf8(string value)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(value) + 1];
        System.Text.Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>makedev(3) as glibc encodes it.</summary>
    public static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
}
