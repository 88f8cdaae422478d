using System.Diagnostics;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// An ADD source that is a git repository (<c>https://host/repo.git#ref:subdir</c>, <c>git@host:repo.git</c>,
/// <c>git://</c>, <c>ssh://</c>), or in Dockerfile 1.18's query form <c>repo.git?ref=|tag=|branch=...&amp;subdir=...
/// &amp;checksum=|commit=...&amp;keep-git-dir=true&amp;submodules=false</c>: fetched with the <c>git</c> binary into a scratch
/// directory, checked out at the ref (default: the remote's HEAD), <c>.git</c> removed unless kept.
/// </summary>
/// <param name="Remote">What <c>git clone</c> is given.</param>
/// <param name="Ref">A branch, tag, full ref (<c>refs/heads/x</c>) or commit; null for the remote's HEAD.</param>
/// <param name="Subdirectory">The directory inside the repository to copy, or null for all of it.</param>
internal sealed record GitSource(string Remote, string? Ref, string? Subdirectory)
{
    /// <summary>The commit the query's <c>checksum=</c> (or <c>commit=</c>) pins, as <c>ADD --checksum</c> does.</summary>
    public string? Checksum { get; init; }

    /// <summary>The query's <c>keep-git-dir=true</c> (<c>ADD --keep-git-dir</c> does the same).</summary>
    public bool KeepGitDirectory { get; init; }

    /// <summary>False when the query says <c>submodules=false</c>.</summary>
    public bool Submodules { get; init; } = true;

    /// <summary>
    /// Whether <paramref name="source"/> is a git source, and its parts. Throws <see cref="FormatException"/> for a git
    /// source whose query is malformed (an unknown key, a fragment as well, two refs).
    /// </summary>
    public static bool TryParse(string source, out GitSource git)
    {
        git = null!;
        var hash = source.IndexOf('#');
        var remote = hash < 0 ? source : source[..hash];
        var fragment = hash < 0 ? null : source[(hash + 1)..];
        var questionMark = remote.IndexOf('?');
        var query = questionMark < 0 ? null : remote[(questionMark + 1)..];
        if (questionMark >= 0) remote = remote[..questionMark];
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
            if (query is not null) throw new FormatException($"ADD {source}: a git URL takes either a query (?ref=...) or a fragment (#ref:subdir), not both");
            var colon = fragment.IndexOf(':');
            gitRef = colon < 0 ? fragment : fragment[..colon];
            subdirectory = colon < 0 ? null : fragment[(colon + 1)..];
            if (gitRef.Length == 0) gitRef = null;
            if (subdirectory?.Length == 0) subdirectory = null;
        }
        git = new GitSource(remote, gitRef, subdirectory);
        if (query is not null) git = WithQuery(git, source, query);
        return true;
    }

    // Dockerfile 1.18's query: ref (any ref), tag (refs/tags/), branch (refs/heads/), checksum or commit, subdir,
    // keep-git-dir, submodules; anything else is refused rather than silently ignored.
    private static GitSource WithQuery(GitSource git, string source, string query)
    {
        string? gitRef = null;
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            switch (key)
            {
                case "ref" or "tag" or "branch":
                    if (gitRef is not null) throw new FormatException($"ADD {source}: the query names more than one of ref, tag and branch");
                    if (value.Length == 0) throw new FormatException($"ADD {source}: {key}= is empty");
                    gitRef = key switch { "tag" => "refs/tags/" + value, "branch" => "refs/heads/" + value, _ => value };
                    break;
                case "checksum" or "commit":
                    if (git.Checksum is not null) throw new FormatException($"ADD {source}: the query names the commit twice (checksum and commit are one key)");
                    git = git with { Checksum = value };
                    break;
                case "subdir":
                    git = git with { Subdirectory = value.Length == 0 ? null : value };
                    break;
                case "keep-git-dir":
                    git = git with { KeepGitDirectory = ParseBool(source, key, value) };
                    break;
                case "submodules":
                    git = git with { Submodules = ParseBool(source, key, value) };
                    break;
                default:
                    throw new FormatException($"ADD {source}: unknown git query key \"{key}\" (known: ref, tag, branch, checksum, commit, subdir, keep-git-dir, submodules)");
            }
        }
        return git with { Ref = gitRef };
    }

    private static bool ParseBool(string source, string key, string value) => value.ToLowerInvariant() switch
    {
        "" or "true" or "1" => true,
        "false" or "0" => false,
        _ => throw new FormatException($"ADD {source}: {key}={value} is not true or false"),
    };

    /// <summary>
    /// The commit the ref names now, from <c>git ls-remote</c> without fetching anything: the cache key of the source.
    /// A full commit id is its own answer, and so is an abbreviated one the remote has no ref for (git checks it when it
    /// checks it out). Git's order for a short name: the exact ref, then <c>refs/tags/</c> (peeled to its commit), then
    /// <c>refs/heads/</c>. Throws <see cref="IOException"/> naming the source when the ref does not exist.
    /// </summary>
    public async Task<string> ResolveCommitAsync(CancellationToken cancellationToken)
    {
        var wanted = Ref ?? "HEAD";
        if (IsCommitId(wanted) && wanted.Length is 40 or 64) return wanted.ToLowerInvariant();
        // Every ref, not just those matching the name: with a pattern, git leaves out the peeled "^{}" lines of tags.
        var listing = await RunAsync(["ls-remote", "--", Remote], null, cancellationToken);
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var tab = line.IndexOf('\t');
            if (tab > 0) refs.TryAdd(line[(tab + 1)..], line[..tab]);
        }
        foreach (var name in new[] { wanted, "refs/" + wanted, "refs/tags/" + wanted, "refs/heads/" + wanted })
        {
            if (refs.TryGetValue(name + "^{}", out var peeled)) return peeled;
            if (refs.TryGetValue(name, out var commit)) return commit;
        }
        if (IsCommitId(wanted) && wanted.Length >= 7) return wanted.ToLowerInvariant();
        throw new IOException($"ADD {this}: git ls-remote found no ref \"{wanted}\" in {Remote}");
    }

    private static bool IsCommitId(string text) => text.Length > 0 && text.All(char.IsAsciiHexDigit);

    /// <summary>
    /// Clones into <paramref name="directory"/> (which must not exist) and returns the directory to copy from. With
    /// <paramref name="checksum"/> (<c>ADD --checksum</c>, as BuildKit): the commit checked out must start with it.
    /// </summary>
    /// <remarks>
    /// With <paramref name="commit"/> (what <see cref="ResolveCommitAsync"/> keyed the step by) that commit is checked
    /// out, so a ref that moved between the cache lookup and the fetch cannot give content the key does not describe.
    /// </remarks>
    public async Task<string> FetchAsync(string directory, bool keepGitDirectory, CancellationToken cancellationToken, string? checksum = null, string? commit = null)
    {
        await RunAsync(["clone", "--quiet", "--no-checkout", "--", Remote, directory], null, cancellationToken);
        await RunAsync(["checkout", "--quiet", commit ?? Ref ?? "HEAD", "--"], directory, cancellationToken);
        foreach (var pin in new[] { checksum, Checksum })
        {
            if (pin is null) continue;
            var head = (await RunAsync(["rev-parse", "HEAD"], directory, cancellationToken)).Trim();
            CheckChecksum(pin, head);
        }
        if (Submodules) await RunAsync(["submodule", "update", "--init", "--recursive", "--quiet"], directory, cancellationToken);
        if (!keepGitDirectory && !KeepGitDirectory) Directory.Delete(Path.Combine(directory, ".git"), recursive: true);
        if (Subdirectory is null) return directory;
        var root = Path.GetFullPath(directory);
        var sub = Path.GetFullPath(Path.Combine(root, Subdirectory.TrimStart('/')));
        if (!(sub == root || sub.StartsWith(root + "/", StringComparison.Ordinal)) || !Directory.Exists(sub))
            throw new DirectoryNotFoundException($"ADD {this}: subdirectory \"{Subdirectory}\" is not in the repository");
        // A symlink on the way could lead out of the clone (to the host's files): the repository's own directories only.
        for (var path = sub; path != root; path = Path.GetDirectoryName(path)!)
            if (new DirectoryInfo(path).LinkTarget is not null)
                throw new DirectoryNotFoundException($"ADD {this}: subdirectory \"{Subdirectory}\" goes through a symlink in the repository");
        return sub;
    }

    /// <summary>BuildKit's check of <c>--checksum</c> (or the query's) for a git source: the commit must start with it.</summary>
    public void CheckChecksum(string checksum, string commit)
    {
        if (checksum.Length == 0 || !commit.StartsWith(checksum.ToLowerInvariant(), StringComparison.Ordinal))
            throw new InvalidDataException($"ADD {this}: checksum mismatch: --checksum is {checksum} but the commit is {commit}");
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
