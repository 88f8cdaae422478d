using System.Text;
using Ashlar.Executor.Containers;
using Ashlar.Executor.Native;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Init;

/// <summary>
/// The first process of every container. The executor starts it as PID 1 of fresh namespaces; it builds the
/// rootfs, pivots into it, drops to the step's user and capabilities and execs the command in its own place.
/// It ships inside the NativeAOT <c>ashlar</c> binary (selected by <see cref="Argument"/>) and as the
/// <c>ashlar-init</c> sibling binary.
/// </summary>
public static class ContainerInit
{
    /// <summary>The first command-line argument that selects init mode in a binary embedding the init.</summary>
    public const string Argument = "__ashlar-init";

    internal const int SpecFd = 3;
    internal const int StatusFd = 4;
    /// <summary>The read end of a pipe only the parent process writes to: hung up means Ashlar is gone.</summary>
    internal const int LifelineFd = 5;

    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>Runs the init. Returns only when setup failed (after reporting why to the executor).</summary>
    public static int Run()
    {
        try
        {
            fcntl(StatusFd, F_SETFD, FD_CLOEXEC);
            fcntl(LifelineFd, F_SETFD, FD_CLOEXEC);
            // If Ashlar dies, so does the container: PID 1's death takes the whole pid namespace with it.
            StayTiedToParent();
            LoadAssembliesBeforePivot();
            // A ready init waits here (see InitPool); an empty spec means the parent let it go unused.
            var bytes = ReadToEnd(SpecFd);
            if (bytes.Length == 0) _exit(0);
            var spec = InitSpec.Deserialize(bytes);
            close(SpecFd);
            Become(spec);
        }
        catch (InitStepException e) { Report(e.Step, e.Errno, e.Detail); }
        catch (Exception e) { Report("init", 0, e.GetType().Name + ": " + e.Message); }
        _exit(127);
        return 127;
    }

    /// <summary>
    /// Arms the parent-death signal, then checks the lifeline: a parent that died before the signal was armed
    /// has already hung up. (The signal follows the spawning thread, which Ashlar keeps until the container ends.)
    /// </summary>
    private static unsafe void StayTiedToParent()
    {
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        var poll = stackalloc long[1];
        poll[0] = (uint)LifelineFd | ((long)(ushort)POLLIN << 32);
        if (LibC.poll(poll, 1, 0) > 0 && ((short)(poll[0] >> 48) & (POLLHUP | POLLERR | POLLNVAL)) != 0)
            _exit(137);
    }

    private static unsafe void Become(InitSpec spec)
    {
        // The mount namespace is copied now, not when the init was started ahead of time (see InitPool): the host's
        // mounts as they are at this step, e.g. a stage's snapshot mounted for RUN --mount=from just before.
        if (unshare(CLONE_NEWNS) != 0)
            throw new InitStepException("mount", System.Runtime.InteropServices.Marshal.GetLastSystemError(), "unshare the mount namespace");
        if (spec.NullStandardInput)
        {
            var devNull = Posix.Open("/dev/null", O_RDONLY);
            RootfsSetup.Check(devNull, "stdin", "/dev/null");
            dup2(devNull, 0);
            close(devNull);
        }
        foreach (var procs in spec.CgroupProcFiles)
            File.WriteAllText(procs, "0"); // "0" is the writer itself: the whole container lives in the step's cgroup.

        RootfsSetup.Build(spec);
        RootfsSetup.PivotInto(spec.RootfsTarget);

        fixed (byte* name = Encoding.UTF8.GetBytes(spec.Hostname))
            RootfsSetup.Check(sethostname(name, Encoding.UTF8.GetByteCount(spec.Hostname)), "hostname", spec.Hostname);
        if (spec.IsolatedNetwork) BringLoopbackUp();

        var user = ContainerUser.Resolve(spec.User, "/etc/passwd", "/etc/group");
        var env = BuildEnvironment(spec.Env, user);
        var cwd = string.IsNullOrEmpty(spec.WorkingDirectory) ? "/" : spec.WorkingDirectory;
        Directory.CreateDirectory(cwd);
        RootfsSetup.Check(Posix.ChangeDirectory(cwd), "chdir", cwd);

        if (spec.Args.Count == 0) throw new InitStepException("exec", EINVAL, "no command given");
        var executable = LookPath(spec.Args[0], env);

        DropPrivileges(user, spec);
        // setresuid to another user clears the parent-death signal: arm it again for the command.
        StayTiedToParent();
        // Only 0-2 and the status pipe survive exec; anything else the init opened closes with it.
        Syscalls.CloseRange(5, uint.MaxValue, Syscalls.CLOSE_RANGE_CLOEXEC);
        ResetSignals();
        Exec(executable, spec.Args, env);
    }

    /// <summary>
    /// A JIT-started init loads assemblies lazily, and after pivot_root the runtime's files are out of reach:
    /// load everything the init can touch while the host filesystem is still there. (NativeAOT has nothing to load.)
    /// </summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only runs with the JIT, never in a trimmed NativeAOT binary.")]
    private static void LoadAssembliesBeforePivot()
    {
        if (InitBinary.IsNativeAot) return;
        var seen = new HashSet<string>();
        var pending = new Queue<System.Reflection.Assembly>([typeof(ContainerInit).Assembly]);
        while (pending.Count > 0)
            foreach (var name in pending.Dequeue().GetReferencedAssemblies())
                if (seen.Add(name.FullName))
                    try { pending.Enqueue(System.Reflection.Assembly.Load(name)); }
                    catch (IOException) { }
    }

    private static List<string> BuildEnvironment(IReadOnlyList<string> given, ContainerUser user)
    {
        var env = given.ToList();
        bool Has(string key) => env.Any(e => e.StartsWith(key + "=", StringComparison.Ordinal));
        if (!Has("PATH")) env.Add("PATH=" + DefaultPath);
        if (!Has("HOME")) env.Add("HOME=" + user.Home);
        return env;
    }

    /// <summary>exec.LookPath with the container's PATH: a name with a slash is used as is.</summary>
    private static string LookPath(string name, List<string> env)
    {
        if (name.Contains('/')) return name;
        var path = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? DefaultPath;
        foreach (var dir in path.Split(':'))
        {
            var candidate = Path.Combine(dir.Length == 0 ? "." : dir, name);
            // stat, not lstat: busybox applets are symlinks to the executable.
            if (File.Exists(candidate) && new FileInfo(candidate).ResolveLinkTarget(returnFinalTarget: true) is var target
                && Posix.LStat(target?.FullName ?? candidate) is { IsRegularFile: true } status && (status.Mode & 0x49 /* 0111 */) != 0)
                return candidate;
        }
        throw new InitStepException("exec", ENOENT, name);
    }

    private static void DropPrivileges(ContainerUser user, InitSpec spec)
    {
        // The bounding set caps what any later exec can gain (root gets exactly it as CapEff).
        for (var cap = 0; cap < 64; cap++)
            if ((spec.Capabilities & (1UL << cap)) == 0 && prctl(PR_CAPBSET_DROP, (ulong)cap, 0, 0, 0) != 0)
            {
                if (Errno == EINVAL) break; // past the kernel's last capability
                throw new InitStepException("capabilities", Errno, $"drop capability {cap}");
            }
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        RootfsSetup.Check(Syscalls.ClearInheritableCapabilities(), "capabilities", "clear the inheritable set");
        // As runc does without no_new_privs (Docker's default): installed while the init still has CAP_SYS_ADMIN,
        // so setuid programs in the container keep working; the filter allows every call left until exec.
        if (spec.SeccompFilter.Length > 0)
            RootfsSetup.Check(InstallSeccomp(spec.SeccompFilter), "seccomp", "install the filter");
        RootfsSetup.Check(Syscalls.SetSupplementaryGroups(user.AdditionalGroups), "user", "setgroups");
        RootfsSetup.Check(Syscalls.SetResGroupId(user.Gid), "user", $"setresgid {user.Gid}");
        RootfsSetup.Check(Syscalls.SetResUserId(user.Uid), "user", $"setresuid {user.Uid}");
    }

    private static unsafe int InstallSeccomp(byte[] filter)
    {
        fixed (byte* instructions = filter)
        {
            var fprog = stackalloc byte[16]; // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            *(ushort*)fprog = (ushort)(filter.Length / 8);
            *(byte**)(fprog + 8) = instructions;
            return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (ulong)fprog, 0, 0);
        }
    }

    private static unsafe void BringLoopbackUp()
    {
        var fd = socket(AF_INET, SOCK_DGRAM, 0);
        RootfsSetup.Check(fd, "network", "socket");
        var request = stackalloc byte[40]; // struct ifreq: char ifr_name[16]; short ifr_flags; ...
        new Span<byte>(request, 40).Clear();
        "lo"u8.CopyTo(new Span<byte>(request, 16));
        RootfsSetup.Check(ioctl(fd, SIOCGIFFLAGS, request), "network", "get lo flags");
        *(short*)(request + 16) |= 0x1 | 0x40; // IFF_UP | IFF_RUNNING
        RootfsSetup.Check(ioctl(fd, SIOCSIFFLAGS, request), "network", "bring lo up");
        close(fd);
    }

    /// <summary>
    /// Dispositions and the mask survive exec: the .NET runtime ignores SIGPIPE and blocks some signals,
    /// and a command must start with every signal at its default.
    /// </summary>
    private static unsafe void ResetSignals()
    {
        for (var sig = 1; sig <= 64; sig++)
            if (sig is not (9 or 19))
                Syscalls.ResetSignal(sig);
        var empty = stackalloc byte[128];
        sigemptyset(empty);
        sigprocmask(SIG_SETMASK, empty, null);
    }

    private static unsafe void Exec(string executable, IReadOnlyList<string> args, List<string> env)
    {
        using var argv = new NativeStringArray(args);
        using var envp = new NativeStringArray(env);
        fixed (byte* path = Utf8(executable))
            execve(path, argv.Pointer, envp.Pointer);
        throw new InitStepException("exec", Errno, executable);
    }

    private static unsafe byte[] ReadToEnd(int fd)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16384];
        while (true)
        {
            nint n;
            fixed (byte* p = chunk) n = read(fd, p, chunk.Length);
            if (n < 0 && Errno == EINTR) continue;
            if (n < 0) throw new InitStepException("init", Errno, "read the spec");
            if (n == 0) return buffer.ToArray();
            buffer.Write(chunk, 0, (int)n);
        }
    }

    private static unsafe void Report(string step, int errno, string detail)
    {
        var bytes = Encoding.UTF8.GetBytes($"{step}\0{errno}\0{detail}");
        fixed (byte* p = bytes) write(StatusFd, p, bytes.Length);
    }
}
