using System.Diagnostics;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// An ADD source that is a git repository (<c>https://host/repo.git#ref:subdir</c>, <c>git@host:repo.git</c>,
/// <c>git://</c>, <c>ssh://</c>): fetched with the <c>git</c> binary into a scratch directory, checked out at the ref
/// (default: the remote's HEAD), <c>.git</c> removed unless <c>--keep-git-dir</c>.
/// </summary>
internal sealed record GitSource(string Remote, string? Ref, string? Subdirectory)
{
    public static bool TryParse(string source, out GitSource git)
    {
        git = null!;
        var hash = source.IndexOf('#');
        var remote = hash < 0 ? source : source[..hash];
        var fragment = hash < 0 ? null : source[(hash + 1)..];
        var isGit = remote.StartsWith("git@", StringComparison.Ordinal) ||
                    remote.StartsWith("git://", StringComparison.Ordinal) ||
                    remote.StartsWith("ssh://", StringComparison.Ordinal) ||
                    (UrlSource.IsUrl(remote) && Uri.TryCreate(remote, UriKind.Absolute, out var uri) && uri.AbsolutePath.EndsWith(".git", StringComparison.Ordinal)) ||
                    remote.StartsWith("github.com/", StringComparison.Ordinal);
        if (!isGit) return false;
        if (remote.StartsWith("github.com/", StringComparison.Ordinal)) remote = "https://" + remote;
        string? gitRef = null, subdirectory = null;
        if (!string.IsNullOrEmpty(fragment))
        {
            var colon = fragment.IndexOf(':');
            gitRef = colon < 0 ? fragment : fragment[..colon];
            subdirectory = colon < 0 ? null : fragment[(colon + 1)..];
            if (gitRef.Length == 0) gitRef = null;
            if (subdirectory?.Length == 0) subdirectory = null;
        }
        git = new GitSource(remote, gitRef, subdirectory);
        return true;
    }

    /// <summary>
    /// Clones into <paramref name="directory"/> (which must not exist) and returns the directory to copy from. With
    /// <paramref name="checksum"/> (<c>ADD --checksum</c>, as BuildKit): the commit checked out must start with it.
    /// </summary>
    public async Task<string> FetchAsync(string directory, bool keepGitDirectory, CancellationToken cancellationToken, string? checksum = null)
    {
        await RunAsync(["clone", "--quiet", "--no-checkout", "--", Remote, directory], null, cancellationToken);
        await RunAsync(["checkout", "--quiet", Ref ?? "HEAD", "--"], directory, cancellationToken);
        if (checksum is not null)
        {
            var commit = (await RunAsync(["rev-parse", "HEAD"], directory, cancellationToken)).Trim();
            if (checksum.Length == 0 || !commit.StartsWith(checksum.ToLowerInvariant(), StringComparison.Ordinal))
                throw new InvalidDataException($"ADD {this}: checksum mismatch: --checksum is {checksum} but the commit is {commit}");
        }
        await RunAsync(["submodule", "update", "--init", "--recursive", "--quiet"], directory, cancellationToken);
        if (!keepGitDirectory) Directory.Delete(Path.Combine(directory, ".git"), recursive: true);
        if (Subdirectory is null) return directory;
        var sub = Path.GetFullPath(Path.Combine(directory, Subdirectory.TrimStart('/')));
        if (!sub.StartsWith(directory, StringComparison.Ordinal) || !Directory.Exists(sub))
            throw new DirectoryNotFoundException($"ADD {this}: subdirectory \"{Subdirectory}\" is not in the repository");
        return sub;
    }

    private async Task<string> RunAsync(IReadOnlyList<string> arguments, string? workingDirectory, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start git");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try { await process.WaitForExitAsync(cancellationToken); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); throw; }
        if (process.ExitCode != 0)
            throw new IOException($"ADD {this}: git {arguments[0]} failed (exit {process.ExitCode}): {(await stderr).Trim()}");
        return await stdout;
    }

    public override string ToString() => Remote + (Ref is null ? "" : "#" + Ref) + (Subdirectory is null ? "" : ":" + Subdirectory);
}
