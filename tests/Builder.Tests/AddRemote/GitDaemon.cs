using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Ashlar.Builder.Tests.AddRemote;

/// <summary>
/// A work repository and its bare clone served by <c>git daemon --verbose</c> on 127.0.0.1, counting the upload-pack
/// connections it serves: <c>git ls-remote</c> makes one, a clone another.
/// </summary>
internal sealed class GitDaemon : IDisposable
{
    private readonly Process _daemon;
    private readonly string _bare;
    private int _uploads;

    public GitDaemon(string directory)
    {
        Work = Path.Combine(directory, "work");
        Directory.CreateDirectory(Work);
        Git(Work, "init", "-q", "-b", "main");
        var served = Path.Combine(directory, "served");
        Directory.CreateDirectory(served);
        _bare = Path.Combine(served, "repo.git");
        Git(directory, "init", "-q", "--bare", "-b", "main", _bare);

        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        _daemon = new Process
        {
            StartInfo = new ProcessStartInfo("git", ["daemon", "--verbose", "--reuseaddr", "--export-all", "--listen=127.0.0.1", $"--port={port}", $"--base-path={served}", served])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            },
        };
        _daemon.ErrorDataReceived += (_, line) =>
        {
            if (line.Data?.Contains("Request upload-pack", StringComparison.Ordinal) == true) Interlocked.Increment(ref _uploads);
        };
        _daemon.Start();
        _daemon.BeginErrorReadLine();
        Url = $"git://127.0.0.1:{port}/repo.git";
        for (var i = 0; ; i++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                break;
            }
            catch (SocketException) when (i < 100) { Thread.Sleep(50); }
        }
    }

    /// <summary>The non-bare repository to commit in; <see cref="Publish"/> pushes it to the served one.</summary>
    public string Work { get; }

    /// <summary><c>git://127.0.0.1:PORT/repo.git</c>.</summary>
    public string Url { get; }

    /// <summary>
    /// Upload-pack connections served so far (ls-remote and fetches alike), once at least <paramref name="atLeast"/> have
    /// been logged: the daemon's log lines reach us a little after the client is done.
    /// </summary>
    public int Uploads(int atLeast)
    {
        for (var i = 0; i < 100 && Volatile.Read(ref _uploads) < atLeast; i++) Thread.Sleep(50);
        Thread.Sleep(200); // and a line that should not come has had its chance to
        return Volatile.Read(ref _uploads);
    }

    /// <summary>Writes <paramref name="files"/> in the work repository and commits them; returns the commit id.</summary>
    public string Commit(string message, params (string Path, string Content)[] files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(Work, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        Git(Work, "add", "-A");
        Git(Work, "commit", "-q", "-m", message);
        return Output(Work, "rev-parse", "HEAD").Trim();
    }

    /// <summary>Pushes every branch and tag of the work repository to the served one.</summary>
    public void Publish()
    {
        Git(Work, "push", "-q", "--force", _bare, "refs/heads/*:refs/heads/*");
        Git(Work, "push", "-q", "--force", _bare, "refs/tags/*:refs/tags/*");
    }

    public static void Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "user.name=t", "-c", "user.email=t@example.com" }.Concat(arguments))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)}: {stderr}");
    }

    public static string Output(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    public void Dispose()
    {
        try { _daemon.Kill(entireProcessTree: true); _daemon.WaitForExit(5000); }
        catch (InvalidOperationException) { }
        _daemon.Dispose();
    }
}
