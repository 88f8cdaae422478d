using System.Diagnostics;

namespace Ashlar.Images.Tests.Support;

/// <summary>
/// A private dockerd for the tests: its own data root, exec root and socket under a temp dir, no bridge, no
/// iptables, vfs storage; stopped (by its own pid) when the tests are done.
/// </summary>
public sealed class DockerDaemon : IAsyncLifetime
{
    public const string DockerdPath = "/usr/sbin/dockerd";
    public const string ClientPath = "/usr/bin/docker";

    private readonly TempDirectory _dir = new();
    private Process? _process;

    public string Socket => _dir.Combine("docker.sock");

    public async Task InitializeAsync()
    {
        if (!File.Exists(DockerdPath)) return;
        var info = new ProcessStartInfo(DockerdPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--data-root", _dir.Combine("data"), "--exec-root", _dir.Combine("exec"), "--pidfile", _dir.Combine("docker.pid"),
            "-H", "unix://" + Socket, "--bridge=none", "--iptables=false", "--ip6tables=false", "--storage-driver=vfs",
        })
            info.ArgumentList.Add(argument);
        _process = Process.Start(info)!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var i = 0; i < 120; i++)
        {
            if (File.Exists(Socket) && (await RunAsync("version")).ExitCode == 0) return;
            if (_process.HasExited) break;
            await Task.Delay(250);
        }
        throw new InvalidOperationException($"dockerd is installed but did not start (see {_dir.Path})");
    }

    public Task<ExternalTool.Result> RunAsync(params string[] arguments) =>
        ExternalTool.RunAsync(ClientPath, ["-H", "unix://" + Socket, .. arguments], TimeSpan.FromMinutes(3));

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            // SIGTERM first: dockerd then unmounts what it mounted (its data root is bind-mounted onto itself).
            Kill(_process.Id, SigTerm);
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try { await _process.WaitForExitAsync(grace.Token); }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process?.Dispose();
        // Killed or not, nothing of the test may stay mounted on the host.
        Unmount(_dir.Combine("data"), Detach);
        // vfs leaves read-only dirs behind; a best-effort cleanup is enough for a temp dir.
        _dir.Dispose();
    }

    private const int SigTerm = 15, Detach = 2;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "umount2")]
    private static extern int Unmount(string target, int flags);
}
