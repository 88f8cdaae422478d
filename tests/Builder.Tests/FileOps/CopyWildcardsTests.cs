using Ashlar.Builder.Tests.FileOps.Support;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class CopyWildcardsTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Star_matches_names_at_one_level_only()
    {
        _box.Write("a.txt", "a");
        _box.Write("b.txt", "b");
        _box.Write("c.md", "c");
        _box.Write("sub/d.txt", "d");

        await _box.CopyAsync(Copy("/out/", "*.txt"));

        Assert.Equal(["a.txt", "b.txt"], Names("/out"));
    }

    [Fact]
    public async Task Wildcards_in_several_levels_and_classes_follow_go_filepath_match()
    {
        _box.Write("src/one/main.go", "1");
        _box.Write("src/two/main.go", "2");
        _box.Write("src/two/util.go", "u");
        _box.Write("file1", "f1");
        _box.Write("file2", "f2");
        _box.Write("file3", "f3");

        await _box.CopyAsync(Copy("/a/", "src/*/main.go"));
        await _box.CopyAsync(Copy("/b/", "file[12]"));
        await _box.CopyAsync(Copy("/c/", "file?"));
        await _box.CopyAsync(Copy("/d/", "file[^1]"));

        // Matches keep only their base name, like BuildKit: both main.go land on the same path, the last wins.
        Assert.Equal("2", _box.Read("/a/main.go"));
        Assert.Equal(["file1", "file2"], Names("/b"));
        Assert.Equal(["file1", "file2", "file3"], Names("/c"));
        Assert.Equal(["file2", "file3"], Names("/d"));
    }

    [Fact]
    public async Task A_matched_directory_copies_its_contents()
    {
        _box.Write("dir1/x", "x");
        _box.Write("dir1/deep/y", "y");
        _box.Write("dir2/z", "z");

        await _box.CopyAsync(Copy("/out/", "dir*"));

        Assert.Equal("x", _box.Read("/out/x"));
        Assert.Equal("y", _box.Read("/out/deep/y"));
        Assert.Equal("z", _box.Read("/out/z"));
        Assert.False(Directory.Exists(_box.InRootfs("/out/dir1")));
    }

    [Fact]
    public async Task A_wildcard_that_matches_nothing_copies_nothing_but_a_missing_literal_fails()
    {
        _box.Write("a.txt", "a");

        await _box.CopyAsync(Copy("/out/", "*.nothing", "a.txt"));
        Assert.Equal(["a.txt"], Names("/out"));

        var error = await Assert.ThrowsAsync<Ashlar.Builder.FileOps.SourceNotFoundException>(() => _box.CopyAsync(Copy("/out/", "missing.txt")));
        Assert.Contains("\"missing.txt\" not found in the build context", error.Message);
        Assert.False(error.ExcludedByIgnoreFile);
    }

    [Fact]
    public async Task Double_star_is_two_single_stars_for_plain_sources()
    {
        _box.Write("a/b/c.txt", "c");
        _box.Write("top.txt", "t");

        await _box.CopyAsync(Copy("/out/", "**.txt"));

        Assert.Equal(["top.txt"], Names("/out"));
    }

    private string[] Names(string directory) =>
        Directory.GetFileSystemEntries(_box.InRootfs(directory)).Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();
}
