using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Containers;

/// <summary>
/// An init already running as PID 1 of fresh namespaces, blocked reading its spec: what <see cref="InitPool"/>
/// hands out. The fds are the parent's ends of the init's pipes; whoever takes it closes them all.
/// </summary>
internal sealed class PreparedInit
{
    public required int Pid { get; init; }
    public required int Pidfd { get; init; }
    /// <summary>Closing this lets the spawning thread end (and the init's parent-death signal with it): only after the exit.</summary>
    public required int Lifeline { get; init; }
    public required int SpecWrite { get; init; }
    public required int StatusRead { get; init; }
    public required int StdinWrite { get; init; }
    public required int StdoutRead { get; init; }
    public required int StderrRead { get; init; }

    /// <summary>Whether the init still waits (it dies with its spec pipe, or when someone kills it).</summary>
    public unsafe bool IsAlive
    {
        get
        {
            var poll = stackalloc long[1];
            poll[0] = (uint)Pidfd | ((long)(ushort)POLLIN << 32);
            return Native.LibC.poll(poll, 1, 0) == 0; // a pidfd polls readable once the process has exited
        }
    }

    /// <summary>Kills an init nobody will use, reaps it, and closes everything.</summary>
    public unsafe void Discard()
    {
        Native.Syscalls.PidfdSendSignal(Pidfd, SIGKILL);
        var info = stackalloc byte[128];
        while (Native.Syscalls.WaitId(P_PIDFD, Pidfd, info, WEXITED, null) < 0 && Errno == EINTR) { }
        CloseAll();
    }

    public void CloseAll()
    {
        foreach (var fd in new[] { SpecWrite, StatusRead, StdinWrite, StdoutRead, StderrRead, Pidfd, Lifeline })
            if (fd >= 0) close(fd);
    }
}
