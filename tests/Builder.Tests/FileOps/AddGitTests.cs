using Ashlar.Builder.Tests.AddRemote;
using Ashlar.Builder.Tests.FileOps.Support;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

/// <summary>ADD of git sources against a local bare repository served by <c>git daemon</c> on 127.0.0.1 (<see cref="GitDaemon"/>).</summary>
public sealed class AddGitTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();
    private readonly GitDaemon _git;
    private readonly string _url;

    public AddGitTests()
    {
        _git = new GitDaemon(_box.Directory);
        File.WriteAllText(Path.Combine(_git.Work, "README"), "v1\n");
        Directory.CreateDirectory(Path.Combine(_git.Work, "sub"));
        File.WriteAllText(Path.Combine(_git.Work, "sub/run.sh"), "#!/bin/sh\n");
        FileOpsSandbox.Chmod(Path.Combine(_git.Work, "sub/run.sh"), 0x1ed);
        _git.Commit("one");
        GitDaemon.Git(_git.Work, "tag", "v1");
        _git.Commit("two", ("README", "v2\n"));
        _git.Publish();
        _url = _git.Url;
    }

    public void Dispose()
    {
        _git.Dispose();
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
        var commit = GitDaemon.Output(_git.Work, "rev-parse", "v1").Trim();

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
}
