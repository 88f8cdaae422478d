using System.Diagnostics;

namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// A private dockerd (BuildKit inside) for the differential tests: its own data root, exec root, pid file and unix
/// socket in a temporary directory, no bridge and no iptables, so it touches nothing of the machine's docker.
/// </summary>
internal sealed class DockerDaemon : IAsyncDisposable
{
    private readonly Process _process;

    private DockerDaemon(string directory, Process process, string client)
    {
        Directory_ = directory;
        _process = process;
        Client = client;
    }

    /// <summary>The daemon's temporary directory (data, exec root, socket, log).</summary>
    public string Directory_ { get; }

    /// <summary>The docker client binary: Debian's <c>/usr/bin/docker</c> when present (the one docker.io installs).</summary>
    public string Client { get; }

    public string Host => $"unix://{Path.Combine(Directory_, "docker.sock")}";

    public string Log => Path.Combine(Directory_, "dockerd.log");

    /// <summary>Starts dockerd and waits until it answers; throws with the log's tail when it cannot.</summary>
    public static async Task<DockerDaemon> StartAsync(string storageDriver, CancellationToken cancellationToken)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ashlar-dockerd-").FullName;
        var dockerd = new[] { "/usr/sbin/dockerd", "/usr/bin/dockerd" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("dockerd is not installed (apt-get install docker.io; .ci/install-deps does)");
        var client = new[] { "/usr/bin/docker", "/usr/local/bin/docker" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("the docker client is not installed (apt-get install docker.io)");
        var start = new ProcessStartInfo(dockerd) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[]
        {
            "--data-root", Path.Combine(directory, "data"), "--exec-root", Path.Combine(directory, "exec"),
            "--pidfile", Path.Combine(directory, "dockerd.pid"), "--host", $"unix://{Path.Combine(directory, "docker.sock")}",
            "--bridge=none", "--iptables=false", "--ip-masq=false", "--storage-driver", storageDriver,
        })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start)!;
        var daemon = new DockerDaemon(directory, process, client);
        var log = File.CreateText(daemon.Log);
        log.AutoFlush = true;
        _ = process.StandardOutput.BaseStream.CopyToAsync(log.BaseStream, CancellationToken.None);
        _ = process.StandardError.BaseStream.CopyToAsync(log.BaseStream, CancellationToken.None);

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"dockerd ({storageDriver}) exited with {process.ExitCode}: {Tail(daemon.Log)}");
            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                await daemon.DisposeAsync();
                throw new InvalidOperationException($"dockerd ({storageDriver}) did not answer within 60 s: {Tail(daemon.Log)}");
            }
            if (File.Exists(Path.Combine(directory, "docker.sock"))
                && (await daemon.RunAsync(["version", "--format", "{{.Server.Version}}"], cancellationToken: cancellationToken)).ExitCode == 0)
                return daemon;
            await Task.Delay(200, cancellationToken);
        }
    }

    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs the docker client against this daemon, with BuildKit on.</summary>
    public async Task<Outcome> RunAsync(IEnumerable<string> args, string? workingDirectory = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(Client) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory ?? "" };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOCKER_HOST"] = Host;
        start.Environment["DOCKER_BUILDKIT"] = "1";
        start.Environment["DOCKER_CONFIG"] = Path.Combine(Directory_, "client-config");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Stops the daemon (SIGTERM, then SIGKILL), unmounts what it left and removes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Syscall.Kill(_process.Id, Syscall.SigTerm);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(wait.Token); }
            catch (OperationCanceledException) { _process.Kill(); await _process.WaitForExitAsync(); }
        }
        _process.Dispose();
        // Overlay and shm mounts the daemon may have left under its directory, deepest first.
        var prefix = Directory_ + "/";
        foreach (var mount in File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')[1]).Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).OrderByDescending(m => m.Length))
            Syscall.Unmount(mount);
        try { System.IO.Directory.Delete(Directory_, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string Tail(string path)
    {
        try { return string.Join('\n', File.ReadLines(path).TakeLast(15)); }
        catch (IOException) { return "(no log)"; }
    }
}
