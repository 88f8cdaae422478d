using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Ashlar.Executor.Cgroups;
using Ashlar.Executor.Init;
using Ashlar.Executor.Native;
using Ashlar.Executor.Security;
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
        var runDir = RunDirectory.Create(id);
        try
        {
            using var cgroup = StepCgroup.ForContainer(id, spec.Limits);
            var lowers = rootfs.LowerDirectories;
            if (rootfs.UpperDirectory is { } writable && StubLayer.For(lowers, writable, GeneratedFiles) is { } stubs)
                lowers = [stubs, .. lowers];
            var init = new InitSpec
            {
                RootfsTarget = Path.Combine(runDir, "rootfs"),
                Lowers = lowers,
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
                NullStandardInput = spec.StandardInput is null,
                // ASHLAR_OVERLAY_MOUNT=legacy forces the mount(2) path that kernels before 6.8 take (for tests).
                LegacyOverlayMount = Environment.GetEnvironmentVariable("ASHLAR_OVERLAY_MOUNT") == "legacy",
                Capabilities = spec.Security == SecurityMode.Insecure ? ulong.MaxValue : Capabilities.DockerDefault,
                SeccompFilter = spec.Security == SecurityMode.Sandbox && SeccompFilter.IsSupported ? SeccompFilter.DockerDefault : [],
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
        // No CLONE_NEWNS here: the init unshares its mount namespace once it has its spec, so that a ready init's
        // copy of the host's mounts is never older than the step (a bind source may be a mount made just before).
        var flags = CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | (spec.Network == NetworkMode.None ? CLONE_NEWNET : 0);
        var devices = spec.Security == SecurityMode.Sandbox ? DeviceCgroup.ProcFile : null;
        var process = await InitPool.TakeAsync(InitBinary.Current, InitEnvironment(), flags, devices).ConfigureAwait(false);
        try
        {
            var specSent = SendSpec(process.SpecWrite, init.Serialize());
            var stdin = OpenPipe(process.StdinWrite, FileAccess.Write);
            // Killing PID 1 of a pid namespace kills every process in it.
            await using var kill = cancellationToken.Register(() => Syscalls.PidfdSendSignal(process.Pidfd, SIGKILL));
            if (!specSent) Syscalls.PidfdSendSignal(process.Pidfd, SIGKILL);
            var feeding = spec.StandardInput is null ? stdin.DisposeAsync().AsTask() : FeedAsync(spec.StandardInput, stdin, cancellationToken);
            var outcome = await ContainerProcess.WatchAsync(process.Pidfd, process.StatusRead, process.StdoutRead, process.StderrRead, spec.StandardOutput, spec.StandardError).ConfigureAwait(false);
            await feeding.ConfigureAwait(false);
            if (!specSent && !cancellationToken.IsCancellationRequested)
                return (outcome, new ContainerStartException("init", 0, $"the container init (pid {process.Pid}) exited before it took its spec"));
            return (outcome, outcome.StatusReport.Length > 0 ? ParseFailure(outcome.StatusReport, spec.Args[0]) : null);
        }
        finally
        {
            // Closing the lifeline last lets the spawning thread go: the init must be gone by then.
            foreach (var fd in new[] { process.Pidfd, process.StatusRead, process.StdoutRead, process.StderrRead, process.Lifeline }) close(fd);
        }
    }

    /// <summary>Writes the spec and closes the pipe; false when the init is gone (it never runs without its spec).</summary>
    private static unsafe bool SendSpec(int fd, byte[] bytes)
    {
        try
        {
            fixed (byte* p = bytes)
            {
                var written = 0;
                while (written < bytes.Length)
                {
                    var n = write(fd, p + written, bytes.Length - written);
                    if (n < 0 && Errno == EINTR) continue;
                    if (n < 0) return false;
                    written += (int)n;
                }
            }
            return true;
        }
        finally { close(fd); }
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

    private static FileStream OpenPipe(int fd, FileAccess access) =>
        new(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
}
