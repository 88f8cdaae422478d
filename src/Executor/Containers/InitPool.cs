using System.Runtime.InteropServices;
using Ashlar.Executor.Cgroups;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Keeps one init ready per kind of container (binary, environment, namespaces, device cgroup): started, in its
/// new pid, uts, ipc (and net) namespaces and its device cgroup, blocked reading its spec. It copies the mount
/// namespace only once it has the spec: an older copy would miss host mounts made since (a bind source). Taking one starts its replacement in the
/// background, so a build's next step skips the spawn, the init's runtime start and the cgroup move (an RCU grace
/// period): the step's own work starts at the spec. A step that comes before its spare is ready waits for it rather
/// than starting a second init beside it. Every container still gets fresh namespaces: an init is used
/// once. An unused init dies with this process (its parent-death signal) or when its spec pipe closes.
/// </summary>
internal static class InitPool
{
    private static readonly Lock Gate = new();
    // The spare for each key: started in the background, ready or still starting.
    private static readonly Dictionary<string, Task<PreparedInit?>> Spares = [];

    /// <summary>Off with <c>ASHLAR_INIT_POOL=0</c>: each container then starts its init on the spot.</summary>
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("ASHLAR_INIT_POOL") != "0";

    /// <summary>
    /// An init for these settings: the spare if there is one (waiting for it when it is still starting: that is
    /// sooner than starting another), else one started now. Then the next spare starts in the background.
    /// </summary>
    public static async Task<PreparedInit> TakeAsync(InitBinary init, IReadOnlyList<string> environment, int namespaceFlags, string? deviceCgroupProcs)
    {
        var key = string.Join('\n', [init.Path, .. init.Argv, .. environment, namespaceFlags.ToString(), deviceCgroupProcs ?? ""]);
        Task<PreparedInit?>? spare;
        lock (Gate) Spares.Remove(key, out spare);
        var taken = spare is null ? null : await spare.ConfigureAwait(false);
        if (taken is { IsAlive: false })
        {
            taken.Discard();
            taken = null;
        }
        taken ??= Start(init, environment, namespaceFlags, deviceCgroupProcs);
        // Only now: two inits starting at once would compete for the same cores.
        if (Enabled)
            lock (Gate)
                if (!Spares.ContainsKey(key)) Spares[key] = StartSpare(init, environment, namespaceFlags, deviceCgroupProcs);
        return taken;
    }

    private static Task<PreparedInit?> StartSpare(InitBinary init, IReadOnlyList<string> environment, int namespaceFlags, string? deviceCgroupProcs) =>
        Task.Factory.StartNew<PreparedInit?>(() =>
        {
            try { return Start(init, environment, namespaceFlags, deviceCgroupProcs); }
            catch (Exception) { return null; } // whoever takes it starts one itself and reports the error
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private static unsafe PreparedInit Start(InitBinary init, IReadOnlyList<string> environment, int namespaceFlags, string? deviceCgroupProcs)
    {
        var (specRead, specWrite) = Pipe();
        var (statusRead, statusWrite) = Pipe();
        var (inRead, inWrite) = Pipe();
        var (outRead, outWrite) = Pipe();
        var (errRead, errWrite) = Pipe();
        int pid, pidfd, lifeline;
        try
        {
            (pid, pidfd, lifeline) = NamespaceSpawner.Spawn(init, environment, namespaceFlags, [inRead, outWrite, errWrite, specRead, statusWrite]);
        }
        catch
        {
            foreach (var fd in new[] { specWrite, statusRead, inWrite, outRead, errRead }) close(fd);
            throw;
        }
        finally
        {
            // The child has its own copies; ours must go so that EOF means "the container let go".
            foreach (var fd in new[] { specRead, statusWrite, inRead, outWrite, errWrite }) close(fd);
        }
        var prepared = new PreparedInit
        {
            Pid = pid, Pidfd = pidfd, Lifeline = lifeline, SpecWrite = specWrite, StatusRead = statusRead,
            StdinWrite = inWrite, StdoutRead = outRead, StderrRead = errRead,
        };
        try
        {
            // Before the init has its spec it runs nothing of the container's: moving it now moves the whole container.
            if (deviceCgroupProcs is not null) DeviceCgroup.Join(deviceCgroupProcs, pid);
        }
        catch
        {
            prepared.Discard();
            throw;
        }
        return prepared;
    }

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw new IOException($"pipe2: {Marshal.GetPInvokeErrorMessage(Errno)}");
        return (fds[0], fds[1]);
    }
}
