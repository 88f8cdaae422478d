using Ashlar.Builder.FileOps;
using Ashlar.Builder.Tests.Cache;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.AddRemote;

/// <summary>
/// ADD of a git source is keyed by the commit its ref names (one <c>ls-remote</c>), its subdirectory and whether .git
/// is kept, never by cloned content: an unchanged commit hits without a clone, a new commit misses. The fragment
/// (<c>#ref:subdir</c>) and Dockerfile 1.18's query (<c>?branch=&amp;subdir=</c>) forms, against <c>git daemon</c>.
/// </summary>
public sealed class GitSourceTests(BuildFixture fixture) : IClassFixture<BuildFixture>, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ashlar-git-source-").FullName;
    private GitDaemon? _git;

    private GitDaemon Git => _git ??= new GitDaemon(_directory);

    public void Dispose()
    {
        _git?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<string> FileAsync(string dockerfile, string path) =>
        await File.ReadAllTextAsync(Path.Combine(await fixture.FilesAsync(fixture.Request(dockerfile)), path));

    [Fact]
    public async Task An_unchanged_commit_hits_with_one_ls_remote_and_no_clone_and_a_new_commit_misses()
    {
        var marker = CacheOutcome.Unique();
        Git.Commit("one", ("README", "v1 " + marker), ("sub/run.sh", "#!/bin/sh\n"));
        Git.Publish();
        var dockerfile = $"FROM scratch\nADD {Git.Url}#main:sub /app/\n";

        Assert.Equal("R", (await fixture.BuildAsync(dockerfile)).Pattern());
        var afterFirst = Git.Uploads(atLeast: 2);
        Assert.Equal(2, afterFirst); // ls-remote, then the clone

        var hit = await fixture.BuildAsync(dockerfile);
        Assert.Equal("C", hit.Pattern());
        Assert.Equal(afterFirst + 1, Git.Uploads(atLeast: afterFirst + 1)); // ls-remote only

        Git.Commit("two", ("sub/run.sh", "#!/bin/sh\necho " + marker + "\n"));
        Git.Publish();
        var miss = await fixture.BuildAsync(dockerfile);
        Assert.Equal("R", miss.Pattern());
        Assert.Contains(Git.Url, miss.Step("ADD").MissReason);
        Assert.Equal("#!/bin/sh\necho " + marker + "\n", await FileAsync(dockerfile, "app/run.sh"));
    }

    [Fact]
    public async Task Subdirectory_and_keep_git_dir_are_part_of_the_key()
    {
        var marker = CacheOutcome.Unique();
        Git.Commit("one", ("README", marker), ("sub/a", "a"));
        Git.Publish();
        Assert.Equal("R", (await fixture.BuildAsync($"FROM scratch\nADD {Git.Url}#main /app/\n")).Pattern());
        Assert.Equal("R", (await fixture.BuildAsync($"FROM scratch\nADD {Git.Url}#main:sub /app/\n")).Pattern());
        var kept = $"FROM scratch\nADD --keep-git-dir {Git.Url}#main /app/\n";
        Assert.Equal("R", (await fixture.BuildAsync(kept)).Pattern());
        Assert.Equal("C", (await fixture.BuildAsync(kept)).Pattern());
        Assert.True(Directory.Exists(Path.Combine(await fixture.FilesAsync(fixture.Request(kept)), "app/.git")));
        // No ref: the remote's HEAD, resolved the same way.
        var head = $"FROM scratch\nADD {Git.Url} /head/\n";
        Assert.Equal("R", (await fixture.BuildAsync(head)).Pattern());
        Assert.Equal("C", (await fixture.BuildAsync(head)).Pattern());
    }

    [Fact]
    public async Task The_query_form_selects_branch_tag_subdir_and_checksum()
    {
        var marker = CacheOutcome.Unique();
        var first = Git.Commit("one", ("README", "v1 " + marker), ("docs/guide", "guide v1"));
        GitDaemon.Git(Git.Work, "tag", "-a", "-m", "annotated", "v1");
        Git.Commit("two", ("README", "v2 " + marker), ("docs/guide", "guide v2"));
        Git.Publish();

        Assert.Equal("guide v2", await FileAsync($"FROM scratch\nADD {Git.Url}?branch=main&subdir=docs /d/\n", "d/guide"));
        Assert.Equal("v1 " + marker, await FileAsync($"FROM scratch\nADD {Git.Url}?tag=v1 /d/\n", "d/README"));
        Assert.Equal("guide v1", await FileAsync($"FROM scratch\nADD {Git.Url}?ref=v1&subdir=docs&checksum={first[..10]} /d/\n", "d/guide"));
        // An annotated tag resolves to its commit, not to the tag object.
        Assert.True(GitSource.TryParse($"{Git.Url}?tag=v1", out var tag));
        Assert.Equal(first, await tag.ResolveCommitAsync(CancellationToken.None));

        var mismatch = await Assert.ThrowsAnyAsync<Exception>(() => fixture.BuildAsync($"FROM scratch\nADD {Git.Url}?branch=main&commit={first} /d/\n"));
        Assert.Contains($"checksum mismatch: --checksum is {first}", mismatch.Message);
        var missing = await Assert.ThrowsAnyAsync<Exception>(() => fixture.BuildAsync($"FROM scratch\nADD {Git.Url}?branch=nope /d/\n"));
        Assert.Contains("no ref \"refs/heads/nope\"", missing.Message);
    }

    [Fact]
    public async Task A_subdirectory_never_leads_out_of_the_clone()
    {
        var marker = CacheOutcome.Unique();
        File.CreateSymbolicLink(Path.Combine(Git.Work, "host"), "/etc");
        Git.Commit("links", ("README", marker));
        Git.Publish();

        var throughLink = await Assert.ThrowsAnyAsync<Exception>(() => fixture.BuildAsync($"FROM scratch\nADD {Git.Url}#main:host /d/\n"));
        Assert.Contains("goes through a symlink", throughLink.Message);
        var upwards = await Assert.ThrowsAnyAsync<Exception>(() => fixture.BuildAsync($"FROM scratch\nADD {Git.Url}#main:../git0x /d/\n"));
        Assert.Contains("is not in the repository", upwards.Message);
    }

    [Theory]
    [InlineData("https://example.com/org/repo.git?ref=v1.2&subdir=docs", "https://example.com/org/repo.git", "v1.2", "docs", null, false, true)]
    [InlineData("https://example.com/org/repo.git?tag=v1&checksum=abc123", "https://example.com/org/repo.git", "refs/tags/v1", null, "abc123", false, true)]
    [InlineData("git@example.com:org/repo.git?branch=dev&keep-git-dir=true&submodules=false", "git@example.com:org/repo.git", "refs/heads/dev", null, null, true, false)]
    [InlineData("ssh://git@example.com/repo.git?commit=deadbeef&subdir=a%2Fb", "ssh://git@example.com/repo.git", null, "a/b", "deadbeef", false, true)]
    [InlineData("https://example.com/org/repo.git#main:sub", "https://example.com/org/repo.git", "main", "sub", null, false, true)]
    public void Query_and_fragment_forms_parse(string source, string remote, string? gitRef, string? subdirectory, string? checksum, bool keepGitDir, bool submodules)
    {
        Assert.True(GitSource.TryParse(source, out var git));
        Assert.Equal((remote, gitRef, subdirectory, checksum, keepGitDir, submodules),
            (git.Remote, git.Ref, git.Subdirectory, git.Checksum, git.KeepGitDirectory, git.Submodules));
    }

    [Theory]
    [InlineData("https://example.com/r.git?depth=1", "unknown git query key \"depth\"")]
    [InlineData("https://example.com/r.git?tag=a&branch=b", "more than one of ref, tag and branch")]
    [InlineData("https://example.com/r.git?ref=a#b", "either a query")]
    [InlineData("https://example.com/r.git?keep-git-dir=maybe", "keep-git-dir=maybe is not true or false")]
    public void Bad_queries_are_refused_naming_the_source(string source, string expected)
    {
        var error = Assert.Throws<FormatException>(() => GitSource.TryParse(source, out _));
        Assert.Contains(source, error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public async Task A_bad_query_fails_the_build_as_an_input_error()
    {
        var error = await Assert.ThrowsAsync<BuildException>(() => fixture.BuildAsync("FROM scratch\nADD https://example.com/r.git?depth=1 /d/\n"));
        Assert.Contains("unknown git query key", error.Message);
        Assert.True(error.IsInputError);
    }
}
