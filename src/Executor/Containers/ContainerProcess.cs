using System.Runtime.InteropServices;
using Ashlar.Executor.Native;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Watches one running container from a single dedicated thread: one poll(2) over the init's status pipe,
/// stdout, stderr and its pidfd, so output lines, the setup report and the exit arrive without thread-pool hops.
/// </summary>
internal static unsafe class ContainerProcess
{
    /// <summary>How the container's PID 1 ended; <see cref="StatusReport"/> is non-empty when setup failed before exec.</summary>
    public sealed record Outcome(int ExitCode, int? Signal, byte[] StatusReport, TimeSpan CpuTime, long MaxResidentBytes);

    public static Task<Outcome> WatchAsync(int pidfd, int statusFd, int stdoutFd, int stderrFd, Action<string>? onStdout, Action<string>? onStderr)
    {
        // The rest of RunAsync continues on this (dedicated, about to end) thread: one hand-off less per container.
        var completion = new TaskCompletionSource<Outcome>();
        var thread = new Thread(() =>
        {
            try { completion.SetResult(Watch(pidfd, statusFd, stdoutFd, stderrFd, onStdout, onStderr)); }
            catch (Exception e) { completion.SetException(e); }
        }, 256 * 1024) { IsBackground = true, Name = "ashlar-container" };
        thread.UnsafeStart();
        return completion.Task;
    }

    private static Outcome Watch(int pidfd, int statusFd, int stdoutFd, int stderrFd, Action<string>? onStdout, Action<string>? onStderr)
    {
        var status = new MemoryStream();
        var stdout = new LineSplitter(onStdout);
        var stderr = new LineSplitter(onStderr);
        Exception? callbackFailure = null;
        var buffer = new byte[65536];
        var fds = stackalloc int[4] { statusFd, stdoutFd, stderrFd, pidfd };
        var poll = stackalloc long[4]; // struct pollfd { int fd; short events; short revents; }
        Outcome? exit = null;
        var open = 4;
        while (open > 0)
        {
            for (var i = 0; i < 4; i++)
                poll[i] = (uint)fds[i] | ((long)(ushort)POLLIN << 32);
            if (LibC.poll(poll, 4, -1) < 0)
            {
                if (Errno == EINTR) continue;
                throw new IOException($"poll on the container failed: {Marshal.GetPInvokeErrorMessage(Errno)}");
            }
            for (var i = 0; i < 4; i++)
            {
                var revents = (short)(poll[i] >> 48);
                if (fds[i] < 0 || revents == 0) continue;
                if (i == 3)
                {
                    exit = Reap(pidfd);
                    if (exit is not null) { fds[3] = -1; open--; }
                    continue;
                }
                nint read;
                fixed (byte* b = buffer) read = LibC.read(fds[i], b, buffer.Length);
                if (read < 0 && Errno == EINTR) continue;
                if (read <= 0)
                {
                    if (i == 1) Guard(stdout.Flush, ref callbackFailure);
                    if (i == 2) Guard(stderr.Flush, ref callbackFailure);
                    fds[i] = -1;
                    open--;
                    continue;
                }
                var chunk = buffer.AsSpan(0, (int)read);
                if (i == 0) status.Write(chunk);
                else
                {
                    try { (i == 1 ? stdout : stderr).Feed(chunk); }
                    catch (Exception e) { callbackFailure ??= e; }
                }
            }
        }
        if (callbackFailure is not null)
            throw new InvalidOperationException("an output callback of the container threw", callbackFailure);
        return exit! with { StatusReport = status.ToArray() };
    }

    private static void Guard(Action action, ref Exception? failure)
    {
        try { action(); }
        catch (Exception e) { failure ??= e; }
    }

    /// <summary>Collects PID 1's exit (null when the pidfd woke up early); its rusage covers everything it reaped.</summary>
    private static Outcome? Reap(int pidfd)
    {
        var info = stackalloc byte[128];
        var usage = stackalloc byte[144];
        new Span<byte>(info, 128).Clear();
        while (Syscalls.WaitId(P_PIDFD, pidfd, info, WEXITED | WNOHANG, usage) != 0)
            if (Errno != EINTR)
                throw new IOException($"waitid on the container init failed: {Marshal.GetPInvokeErrorMessage(Errno)}");
        if (*(int*)(info + 16) == 0) return null; // si_pid: not exited yet
        var code = *(int*)(info + 8);
        var value = *(int*)(info + 24);
        var cpu = TimeSpan.FromSeconds(*(long*)usage + *(long*)(usage + 16)) +
                  TimeSpan.FromMicroseconds(*(long*)(usage + 8) + *(long*)(usage + 24));
        var maxRss = *(long*)(usage + 32) * 1024;
        return code == CLD_EXITED
            ? new Outcome(value, null, [], cpu, maxRss)
            : new Outcome(128 + value, value, [], cpu, maxRss);
    }
}
