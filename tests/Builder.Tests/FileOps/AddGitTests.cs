using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Ashlar.Builder.Tests.FileOps.Support;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

/// <summary>ADD of git sources against a local bare repository served by <c>git daemon</c> on 127.0.0.1.</summary>
public sealed class AddGitTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();
    private readonly Process _daemon;
    private readonly string _url;

    public AddGitTests()
    {
        var work = Path.Combine(_box.Directory, "work");
        Directory.CreateDirectory(work);
        Git(work, "init", "-q", "-b", "main");
        File.WriteAllText(Path.Combine(work, "README"), "v1\n");
        Directory.CreateDirectory(Path.Combine(work, "sub"));
        File.WriteAllText(Path.Combine(work, "sub/run.sh"), "#!/bin/sh\n");
        FileOpsSandbox.Chmod(Path.Combine(work, "sub/run.sh"), 0x1ed);
        Git(work, "add", ".");
        Git(work, "commit", "-q", "-m", "one");
        Git(work, "tag", "v1");
        File.WriteAllText(Path.Combine(work, "README"), "v2\n");
        Git(work, "commit", "-q", "-am", "two");

        var served = Path.Combine(_box.Directory, "served");
        Directory.CreateDirectory(served);
        Git(_box.Directory, "clone", "-q", "--bare", work, Path.Combine(served, "repo.git"));

        var port = FreePort();
        _daemon = Process.Start(new ProcessStartInfo("git", ["daemon", "--reuseaddr", "--export-all", "--listen=127.0.0.1", $"--port={port}", $"--base-path={served}", served])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        _url = $"git://127.0.0.1:{port}/repo.git";
        WaitForPort(port);
    }

    public void Dispose()
    {
        try { _daemon.Kill(entireProcessTree: true); _daemon.WaitForExit(5000); }
        catch (InvalidOperationException) { }
        _daemon.Dispose();
        _box.Dispose();
    }

    [Fact]
    public async Task The_default_branch_is_checked_out_without_the_git_directory()
    {
        await _box.CopyAsync(Add("/src", _url));

        Assert.Equal("v2\n", _box.Read("/src/README"));
        Assert.Equal("755", _box.Stat("/src/sub/run.sh").Octal);
        Assert.Equal((0u, 0u), (_box.Stat("/src/README").Uid, _box.Stat("/src/README").Gid));
        Assert.False(Directory.Exists(_box.InRootfs("/src/.git")));
    }

    [Fact]
    public async Task A_ref_and_subdirectory_and_keep_git_dir()
    {
        await _box.CopyAsync(Add("/tagged/", _url + "#v1"));
        await _box.CopyAsync(Add("/subdir/", _url + "#main:sub"));
        await _box.CopyAsync(Add("/kept/", _url + "#v1") with { KeepGitDir = true });

        Assert.Equal("v1\n", _box.Read("/tagged/README"));
        Assert.True(File.Exists(_box.InRootfs("/subdir/run.sh")));
        Assert.False(File.Exists(_box.InRootfs("/subdir/README")));
        Assert.True(Directory.Exists(_box.InRootfs("/kept/.git")));
    }

    [Fact]
    public async Task Checksum_pins_the_commit_as_in_buildkit()
    {
        var commit = GitOutput(Path.Combine(_box.Directory, "work"), "rev-parse", "v1").Trim();

        await _box.CopyAsync(Add("/pinned/", _url + "#v1") with { Checksum = commit[..12] });
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _box.CopyAsync(Add("/other/", _url + "#main") with { Checksum = commit }));

        Assert.Equal("v1\n", _box.Read("/pinned/README"));
        Assert.Contains($"checksum mismatch: --checksum is {commit} but the commit is", error.Message);
        Assert.False(Directory.Exists(_box.InRootfs("/other")));
    }

    [Fact]
    public async Task A_missing_ref_is_a_clear_error()
    {
        var error = await Assert.ThrowsAsync<IOException>(() => _box.CopyAsync(Add("/x/", _url + "#nope")));
        Assert.Contains("git checkout failed", error.Message);
        Assert.Contains("#nope", error.Message);
    }

    [Theory]
    [InlineData("https://example.com/org/repo.git#v1.2:docs", "https://example.com/org/repo.git", "v1.2", "docs")]
    [InlineData("git@example.com:org/repo.git", "git@example.com:org/repo.git", null, null)]
    [InlineData("git://127.0.0.1/repo.git#main", "git://127.0.0.1/repo.git", "main", null)]
    [InlineData("ssh://git@example.com/repo#:sub", "ssh://git@example.com/repo", null, "sub")]
    [InlineData("github.com/org/repo#abc", "https://github.com/org/repo", "abc", null)]
    public void Git_references_are_recognised_like_buildkit(string source, string remote, string? gitRef, string? subdirectory)
    {
        Assert.True(Ashlar.Builder.FileOps.GitSource.TryParse(source, out var git));
        Assert.Equal((remote, gitRef, subdirectory), (git.Remote, git.Ref, git.Subdirectory));
    }

    [Theory]
    [InlineData("https://example.com/file.tar.gz")]
    [InlineData("src/repo.git")]
    public void Urls_and_local_paths_are_not_git(string source) =>
        Assert.False(Ashlar.Builder.FileOps.GitSource.TryParse(source, out _));

    private static void Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in new[] { "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "protocol.file.allow=always" }.Concat(arguments))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', arguments)}: {stderr}");
    }

    private static string GitOutput(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return output;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void WaitForPort(int port)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) { Thread.Sleep(50); }
        }
        throw new TimeoutException($"git daemon did not listen on 127.0.0.1:{port}");
    }
}
