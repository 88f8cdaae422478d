using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Ashlar.Executor.Native;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Starts the init as PID 1 of new namespaces without ever forking managed code: a throwaway thread unshares
/// (namespaces are per thread, so the rest of the process is untouched), posix_spawns the init (only native
/// code runs in the child until exec), and exits. Everything that thread touches is prepared beforehand: it
/// must not allocate, create threads, load code or run continuations while it lives in the new namespaces.
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
        public int Pid;
        public int Error;
        public int FailedCall; // 1 unshare, 2 posix_spawn: no strings on that thread
    }

    static NamespaceSpawner()
    {
        // JIT-compile the thread body (and inline its P/Invokes) here, in the normal namespaces.
        SpawnOnThisThread(new Request { WarmUp = true });
    }

    /// <summary>Spawns the init with <paramref name="childFds"/> as its fds 0..n-1; returns its pid and a pidfd.</summary>
    public static (int Pid, int Pidfd) Spawn(InitBinary init, IReadOnlyList<string> environment, int namespaceFlags, ReadOnlySpan<int> childFds)
    {
        var fileActions = NativeMemory.AllocZeroed(1024);
        var attributes = NativeMemory.AllocZeroed(1024);
        var signals = NativeMemory.AllocZeroed(128);
        using var argv = new NativeStringArray(init.Argv);
        using var envp = new NativeStringArray(environment);
        var path = (byte*)Marshal.StringToCoTaskMemUTF8(init.Path);
        try
        {
            posix_spawn_file_actions_init(fileActions);
            for (var fd = 0; fd < childFds.Length; fd++)
                posix_spawn_file_actions_adddup2(fileActions, childFds[fd], fd);
            posix_spawnattr_init(attributes);
            posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
            sigfillset(signals);
            posix_spawnattr_setsigdefault(attributes, signals);
            sigemptyset(signals);
            posix_spawnattr_setsigmask(attributes, signals);

            var request = new Request
            {
                Flags = namespaceFlags, Path = path, FileActions = fileActions, Attributes = attributes,
                Argv = argv.Pointer, Envp = envp.Pointer,
            };
            var thread = new Thread(static state => SpawnOnThisThread((Request)state!), 256 * 1024)
            { IsBackground = true, Name = "ashlar-spawn" };
            thread.UnsafeStart(request);
            thread.Join();

            if (request.Error != 0)
                throw new ContainerStartException("spawn", request.Error,
                    $"{(request.FailedCall == 1 ? "unshare" : "posix_spawn")} failed starting the container init {init.Path}: {Marshal.GetPInvokeErrorMessage(request.Error)}");
            var pidfd = Syscalls.PidfdOpen(request.Pid);
            if (pidfd < 0)
                throw new ContainerStartException("spawn", Errno, $"pidfd_open({request.Pid}): {Marshal.GetPInvokeErrorMessage(Errno)}");
            fcntl(pidfd, F_SETFD, FD_CLOEXEC);
            return (request.Pid, pidfd);
        }
        finally
        {
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
        if (request.WarmUp) return;
        if (unshare(request.Flags) != 0)
        {
            request.Error = Marshal.GetLastSystemError();
            request.FailedCall = 1;
            return;
        }
        int pid;
        var result = posix_spawn(&pid, request.Path, request.FileActions, request.Attributes, request.Argv, request.Envp);
        if (result != 0)
        {
            request.Error = result;
            request.FailedCall = 2;
            return;
        }
        request.Pid = pid;
    }
}
