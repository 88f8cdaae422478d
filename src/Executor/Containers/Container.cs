using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Ashlar.Executor.Cgroups;
using Ashlar.Executor.Init;
using Ashlar.Executor.Native;
using Microsoft.Win32.SafeHandles;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Containers;

/// <summary>Runs one command in an ephemeral container: new mount, pid, uts and ipc namespaces over a snapshot's rootfs.</summary>
public static class Container
{
    private static readonly string[] GeneratedFiles = ["/etc/hosts", "/etc/resolv.conf", "/etc/hostname"];

    /// <summary>
    /// Runs <paramref name="spec"/> to completion and returns how it ended. Cancelling kills every process of
    /// the container; whatever the outcome, nothing stays mounted or running and the cgroup is gone.
    /// </summary>
    /// <exception cref="ContainerStartException">The command could not be started (e.g. not found in PATH).</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled; the container was killed.</exception>
    /// <exception cref="TimeoutException">The command ran longer than <see cref="ContainerSpec.Timeout"/>; the container was killed.</exception>
    public static async Task<ExecResult> RunAsync(ContainerSpec spec, CancellationToken cancellationToken = default)
    {
        if (spec.Timeout is not { } timeout) return await RunAsyncCore(spec, cancellationToken).ConfigureAwait(false);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await RunAsyncCore(spec, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"\"{string.Join(' ', spec.Args)}\" did not finish within {timeout}; every process of its container was killed");
        }
    }

    private static async Task<ExecResult> RunAsyncCore(ContainerSpec spec, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (spec.Rootfs.Count != 1)
            throw new ArgumentException($"the rootfs must be exactly one mount (got {spec.Rootfs.Count})", nameof(spec));
        if (spec.Args.Count == 0)
            throw new ArgumentException("no command to run", nameof(spec));
        var rootfs = spec.Rootfs[0];
        if (rootfs.Type == "bind" && !rootfs.IsReadOnly)
            throw new ArgumentException("a writable rootfs must be an overlay (an active snapshot)", nameof(spec));

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var runDir = Path.Combine(Path.GetTempPath(), "ashlar-run", id);
        Directory.CreateDirectory(Path.Combine(runDir, "rootfs"));
        try
        {
            using var cgroup = StepCgroup.ForContainer(id, spec.Limits);
            var init = new InitSpec
            {
                RootfsTarget = Path.Combine(runDir, "rootfs"),
                Lowers = rootfs.LowerDirectories,
                Upper = rootfs.UpperDirectory,
                Work = rootfs.WorkDirectory,
                Hostname = spec.Hostname,
                IsolatedNetwork = spec.Network == NetworkMode.None,
                Mounts = WriteGeneratedFiles(runDir, spec).Concat(spec.Mounts.Select(ToInitMount)).ToList(),
                CgroupProcFiles = cgroup?.ProcFiles ?? [],
                Args = spec.Args,
                Env = spec.Env,
                WorkingDirectory = spec.WorkingDirectory,
                User = spec.User,
                StubLog = Path.Combine(runDir, "stubs"),
            };
            var (outcome, failure) = await RunInitAsync(init, spec, cancellationToken).ConfigureAwait(false);
            // With a cgroup its accounting covers everything; without, PID 1's rusage covers what it reaped.
            var usage = cgroup?.ReadUsage() ?? new CgroupUsage(outcome.CpuTime, outcome.MaxResidentBytes, false);

            if (rootfs.UpperDirectory is { } upper && File.Exists(init.StubLog))
                MountStubs.Remove(upper, init.Lowers, File.ReadAllLines(init.StubLog));

            cancellationToken.ThrowIfCancellationRequested();
            if (failure is not null)
                throw failure;
            return new ExecResult(outcome.ExitCode, outcome.Signal, usage.OomKilled, usage.CpuTime, usage.PeakMemoryBytes);
        }
        finally
        {
            try { Directory.Delete(runDir, recursive: true); }
            catch (IOException) { }
        }
    }


    private static async Task<(ContainerProcess.Outcome Outcome, ContainerStartException? Failure)> RunInitAsync(InitSpec init, ContainerSpec spec, CancellationToken cancellationToken)
    {
        var flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | (spec.Network == NetworkMode.None ? CLONE_NEWNET : 0);
        var (statusRead, statusWrite) = Pipe();
        var (outRead, outWrite) = Pipe();
        var (errRead, errWrite) = Pipe();
        var (inRead, inWrite) = spec.StandardInput is null ? (Posix.Open("/dev/null", O_RDONLY | O_CLOEXEC), -1) : Pipe();
        var specFd = SpecMemfd(init.Serialize());
        int pid, pidfd;
        try
        {
            (pid, pidfd) = NamespaceSpawner.Spawn(InitBinary.Current, InitEnvironment(), flags, [inRead, outWrite, errWrite, specFd, statusWrite]);
        }
        catch
        {
            foreach (var fd in new[] { statusRead, outRead, errRead, inWrite }) if (fd >= 0) close(fd);
            throw;
        }
        finally
        {
            // The child has its own copies; ours must go so that EOF means "the container let go".
            foreach (var fd in new[] { statusWrite, outWrite, errWrite, inRead, specFd }) close(fd);
        }

        try
        {
            var stdin = inWrite >= 0 ? OpenPipe(inWrite, FileAccess.Write) : null;
            // Killing PID 1 of a pid namespace kills every process in it.
            await using var kill = cancellationToken.Register(() => Syscalls.PidfdSendSignal(pidfd, SIGKILL));
            var feeding = stdin is null ? Task.CompletedTask : FeedAsync(spec.StandardInput!, stdin, cancellationToken);
            var outcome = await ContainerProcess.WatchAsync(pidfd, statusRead, outRead, errRead, spec.StandardOutput, spec.StandardError).ConfigureAwait(false);
            await feeding.ConfigureAwait(false);
            return (outcome, outcome.StatusReport.Length > 0 ? ParseFailure(outcome.StatusReport, spec.Args[0]) : null);
        }
        finally
        {
            foreach (var fd in new[] { pidfd, statusRead, outRead, errRead }) close(fd);
        }
    }

    private static async Task FeedAsync(Stream input, Stream pipe, CancellationToken cancellationToken)
    {
        try { await input.CopyToAsync(pipe, cancellationToken).ConfigureAwait(false); }
        catch (IOException) { } // the command stopped reading
        catch (OperationCanceledException) { }
        finally { await pipe.DisposeAsync().ConfigureAwait(false); }
    }

    private static ContainerStartException ParseFailure(byte[] report, string command)
    {
        var parts = Encoding.UTF8.GetString(report).Split('\0', 3);
        var step = parts[0];
        var errno = parts.Length > 1 && int.TryParse(parts[1], out var e) ? e : 0;
        var detail = parts.Length > 2 ? parts[2] : "";
        var message = step switch
        {
            "exec" when errno == ENOENT && !command.Contains('/') => $"exec: \"{command}\": executable file not found in $PATH",
            "exec" when errno == ENOENT => $"exec: \"{command}\": no such file or directory (not found)",
            "exec" => $"exec: \"{command}\": {Marshal.GetPInvokeErrorMessage(errno)}",
            _ when errno != 0 => $"container setup failed at {step}: {detail}: {Marshal.GetPInvokeErrorMessage(errno)}",
            _ => $"container setup failed at {step}: {detail}",
        };
        return new ContainerStartException(step, errno, message);
    }

    private static InitMount ToInitMount(ContainerMount mount) => mount.Kind == ContainerMountKind.Bind
        ? new InitMount(InitMountKind.Bind, mount.Source, mount.Target, mount.ReadOnly, "")
        : new InitMount(InitMountKind.Tmpfs, "tmpfs", mount.Target, mount.ReadOnly, mount.SizeBytes is { } size ? $"size={size}" : "");

    /// <summary>/etc/hosts, /etc/resolv.conf and /etc/hostname for this container, bound over the image's.</summary>
    private static IEnumerable<InitMount> WriteGeneratedFiles(string runDir, ContainerSpec spec)
    {
        var hosts = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        hosts.Append($"127.0.1.1\t{spec.Hostname}\n");
        var resolv = File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "";
        if (spec.Network == NetworkMode.None || resolv.Length == 0)
            resolv = "";
        var contents = new[] { hosts.ToString(), resolv, spec.Hostname + "\n" };
        for (var i = 0; i < GeneratedFiles.Length; i++)
        {
            var source = Path.Combine(runDir, Path.GetFileName(GeneratedFiles[i]));
            File.WriteAllText(source, contents[i]);
            yield return new InitMount(InitMountKind.Bind, source, GeneratedFiles[i], false, "");
        }
    }

    private static IReadOnlyList<string> InitEnvironment() =>
        Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("DOTNET_", StringComparison.Ordinal) || k.StartsWith("ASHLAR_", StringComparison.Ordinal) || k is "PATH" or "HOME")
            .Select(k => $"{k}={Environment.GetEnvironmentVariable(k)}")
            .ToList();

    private static unsafe (int Read, int Write) Pipe()
    {
        var fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw new IOException($"pipe2: {Marshal.GetPInvokeErrorMessage(Errno)}");
        return (fds[0], fds[1]);
    }

    private static unsafe int SpecMemfd(byte[] bytes)
    {
        int fd;
        fixed (byte* name = Utf8("ashlar-init-spec")) fd = memfd_create(name, MFD_CLOEXEC);
        if (fd < 0) throw new IOException($"memfd_create: {Marshal.GetPInvokeErrorMessage(Errno)}");
        fixed (byte* p = bytes)
        {
            var written = 0;
            while (written < bytes.Length)
            {
                var n = write(fd, p + written, bytes.Length - written);
                if (n < 0) throw new IOException($"write the init spec: {Marshal.GetPInvokeErrorMessage(Errno)}");
                written += (int)n;
            }
        }
        // The init reads from the start: give it a fresh description through /proc rather than seeking ours.
        var reopened = Posix.Open($"/proc/self/fd/{fd}", O_RDONLY | O_CLOEXEC);
        close(fd);
        if (reopened < 0) throw new IOException($"reopen the init spec: {Marshal.GetPInvokeErrorMessage(Errno)}");
        return reopened;
    }

    private static FileStream OpenPipe(int fd, FileAccess access) =>
        new(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
}
