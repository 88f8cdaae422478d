using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ashlar.Executor.Native;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Starts the init as PID 1 of new namespaces without ever forking managed code: a dedicated thread unshares
/// (namespaces are per thread, so the rest of the process is untouched), posix_spawns the init (only native
/// code runs in the child until exec), and goes back to the host's namespaces. Everything that thread touches
/// is prepared beforehand: it must not allocate, create threads, load code or run continuations while it lives
/// in the new namespaces.
/// <para>
/// The thread then stays, blocked on the read end of a lifeline pipe, until the caller closes the write end:
/// the init's parent-death signal (PR_SET_PDEATHSIG) fires when its parent <em>thread</em> ends, so this thread
/// must outlive the container, and dies with the process if Ashlar is killed. The init gets the same read end
/// as fd <see cref="Init.ContainerInit.LifelineFd"/> to notice a parent that died before it armed that signal.
/// </para>
/// </summary>
internal static unsafe class NamespaceSpawner
{
    private sealed class Request
    {
        public bool WarmUp;
        public int Flags;
        public byte* Path;
        public void* FileActions;
        public void* Attributes;
        public byte** Argv;
        public byte** Envp;
        public int ReadyFd;
        public int HoldFd;
        public int Pid;
        public int Error;
        public int FailedCall; // 1 unshare, 2 posix_spawn, 3 setns: no strings on that thread
    }

    // The host namespaces the spawning thread returns to, opened once (CLONE_NEWNS, NEWUTS, NEWIPC, NEWNET order).
    private static readonly (int Fd, int Type)[] HostNamespaces;

    static NamespaceSpawner()
    {
        HostNamespaces = [.. new[] { ("mnt", CLONE_NEWNS), ("uts", CLONE_NEWUTS), ("ipc", CLONE_NEWIPC), ("net", CLONE_NEWNET) }
            .Select(ns => (Posix.Open($"/proc/thread-self/ns/{ns.Item1}", O_RDONLY | O_CLOEXEC), ns.Item2))];
        // JIT-compile the thread body (and inline its P/Invokes) here, in the normal namespaces.
        SpawnOnThisThread(new Request { WarmUp = true, ReadyFd = -1, HoldFd = -1 });
    }

    /// <summary>
    /// Spawns the init with <paramref name="childFds"/> as its fds 0..n-1 and the lifeline as fd n. Returns its pid,
    /// a pidfd, and the lifeline's write end: close that only once the container has ended.
    /// </summary>
    public static (int Pid, int Pidfd, int Lifeline) Spawn(InitBinary init, IReadOnlyList<string> environment, int namespaceFlags, ReadOnlySpan<int> childFds)
    {
        var fileActions = NativeMemory.AllocZeroed(1024);
        var attributes = NativeMemory.AllocZeroed(1024);
        var signals = NativeMemory.AllocZeroed(128);
        using var argv = new NativeStringArray(init.Argv);
        using var envp = new NativeStringArray(environment);
        var path = (byte*)Marshal.StringToCoTaskMemUTF8(init.Path);
        var (readyRead, readyWrite) = Pipe();
        var (holdRead, holdWrite) = Pipe();
        var handedOver = false;
        try
        {
            posix_spawn_file_actions_init(fileActions);
            for (var fd = 0; fd < childFds.Length; fd++)
                posix_spawn_file_actions_adddup2(fileActions, childFds[fd], fd);
            posix_spawn_file_actions_adddup2(fileActions, holdRead, childFds.Length);
            posix_spawnattr_init(attributes);
            posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
            sigfillset(signals);
            posix_spawnattr_setsigdefault(attributes, signals);
            sigemptyset(signals);
            posix_spawnattr_setsigmask(attributes, signals);

            var request = new Request
            {
                Flags = namespaceFlags, Path = path, FileActions = fileActions, Attributes = attributes,
                Argv = argv.Pointer, Envp = envp.Pointer, ReadyFd = readyWrite, HoldFd = holdRead,
            };
            var thread = new Thread(static state => SpawnOnThisThread((Request)state!), 256 * 1024)
            { IsBackground = true, Name = "ashlar-spawn" };
            thread.UnsafeStart(request);
            handedOver = true; // the thread closes holdRead when it ends

            byte ready;
            while (read(readyRead, &ready, 1) < 0 && Errno == EINTR) { }
            if (request.Error != 0)
            {
                if (request.Pid > 0) Abandon(request.Pid);
                var call = request.FailedCall switch { 1 => "unshare", 2 => "posix_spawn", _ => "setns" };
                throw new ContainerStartException("spawn", request.Error,
                    $"{call} failed starting the container init {init.Path}: {Marshal.GetPInvokeErrorMessage(request.Error)}");
            }
            var pidfd = Syscalls.PidfdOpen(request.Pid);
            if (pidfd < 0)
            {
                var error = Errno;
                Abandon(request.Pid);
                throw new ContainerStartException("spawn", error, $"pidfd_open({request.Pid}): {Marshal.GetPInvokeErrorMessage(error)}");
            }
            fcntl(pidfd, F_SETFD, FD_CLOEXEC);
            var lifeline = holdWrite;
            holdWrite = -1;
            return (request.Pid, pidfd, lifeline);
        }
        finally
        {
            if (holdWrite >= 0) close(holdWrite);
            if (!handedOver) close(holdRead);
            close(readyRead);
            close(readyWrite);
            posix_spawn_file_actions_destroy(fileActions);
            posix_spawnattr_destroy(attributes);
            NativeMemory.Free(fileActions);
            NativeMemory.Free(attributes);
            NativeMemory.Free(signals);
            Marshal.FreeCoTaskMem((nint)path);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void SpawnOnThisThread(Request request)
    {
        byte signal = 1;
        if (request.WarmUp)
        {
            // Bind every libc entry point used below while still in the host's namespaces (all fail with EBADF).
            setns(-1, 0);
            read_inline(-1, &signal, 0);
            write_inline(-1, &signal, 0);
            close_inline(-1);
            return;
        }
        if (unshare(request.Flags) != 0)
        {
            Fail(request, 1, Marshal.GetLastSystemError());
            return;
        }
        int pid;
        var result = posix_spawn(&pid, request.Path, request.FileActions, request.Attributes, request.Argv, request.Envp);
        if (result != 0)
        {
            Fail(request, 2, result);
            return;
        }
        request.Pid = pid;
        // Back to the host's namespaces, so that this thread holds nothing of the container's while it waits. Keeping
        // the mount namespace would report PID 1's exit before the mounts' teardown (an RCU grace period), but leave
        // the overlay mounted while the caller diffs and commits its upper dir, and mounts it as the next lower:
        // overlay calls that undefined (tried; a later step then missed a file its parent step had written).
        foreach (var (fd, type) in HostNamespaces)
            if ((request.Flags & type) != 0 && setns(fd, type) != 0)
            {
                request.Error = Marshal.GetLastSystemError();
                request.FailedCall = 3;
            }
        write_inline(request.ReadyFd, &signal, 1);
        // The init's parent-death signal is tied to this thread: wait here until the caller lets go (EOF).
        while (read_inline(request.HoldFd, &signal, 1) != 0 && Marshal.GetLastSystemError() == EINTR) { }
        close_inline(request.HoldFd);
    }

    /// <summary>Kills and reaps an init that was spawned but cannot be handed out.</summary>
    private static void Abandon(int pid)
    {
        kill(pid, SIGKILL);
        var info = stackalloc byte[128];
        while (waitid(P_PID, pid, info, WEXITED) < 0 && Errno == EINTR) { }
    }

    private static void Fail(Request request, int call, int error)
    {
        request.Error = error;
        request.FailedCall = call;
        byte signal = 1;
        write_inline(request.ReadyFd, &signal, 1);
        close_inline(request.HoldFd);
    }

    private static (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw new IOException($"pipe2: {Marshal.GetPInvokeErrorMessage(Errno)}");
        return (fds[0], fds[1]);
    }
}
