using System.Runtime.InteropServices;
using Ashlar.Executor.Cgroups;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Keeps one init ready per kind of container (binary, environment, namespaces, device cgroup): started, in its
/// new pid, uts, ipc (and net) namespaces and its device cgroup, blocked reading its spec. It copies the mount
/// namespace only once it has the spec: an older copy would miss host mounts made since (a bind source). Taking one starts its replacement in the
/// background, so a build's next step skips the spawn, the init's runtime start and the cgroup move (an RCU grace
/// period): the step's own work starts at the spec. Every container still gets fresh namespaces: an init is used
/// once. An unused init dies with this process (its parent-death signal) or when its spec pipe closes.
/// </summary>
internal static class InitPool
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, PreparedInit> Ready = [];
    private static readonly HashSet<string> Refilling = [];

    /// <summary>Off with <c>ASHLAR_INIT_POOL=0</c>: each container then starts its init on the spot.</summary>
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("ASHLAR_INIT_POOL") != "0";

    /// <summary>An init for these settings: a ready one if there is one, else one started now.</summary>
    public static PreparedInit Take(InitBinary init, IReadOnlyList<string> environment, int namespaceFlags, string? deviceCgroupProcs)
    {
        var key = string.Join('\n', [init.Path, .. init.Argv, .. environment, namespaceFlags.ToString(), deviceCgroupProcs ?? ""]);
        PreparedInit? ready;
        lock (Gate)
        {
            if (Ready.Remove(key, out ready) && !ready.IsAlive)
            {
                ready.Discard();
                ready = null;
            }
        }
        if (Enabled) Refill(key, init, environment, namespaceFlags, deviceCgroupProcs);
        return ready ?? Start(init, environment, namespaceFlags, deviceCgroupProcs);
    }

    private static void Refill(string key, InitBinary init, IReadOnlyList<string> environment, int namespaceFlags, string? deviceCgroupProcs)
    {
        lock (Gate)
            if (!Refilling.Add(key)) return;
        ThreadPool.UnsafeQueueUserWorkItem(_ =>
        {
            PreparedInit? spare = null;
            try { spare = Start(init, environment, namespaceFlags, deviceCgroupProcs); }
            catch (Exception) { } // the next Take starts one itself and reports the error
            lock (Gate)
            {
                Refilling.Remove(key);
                if (spare is not null && !Ready.TryAdd(key, spare)) spare.Discard();
            }
        }, null);
    }

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
