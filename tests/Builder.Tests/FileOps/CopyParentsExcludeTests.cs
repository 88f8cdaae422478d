using Ashlar.Builder.Tests.FileOps.Support;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class CopyParentsExcludeTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Parents_keeps_the_path_from_the_context_root_with_source_directory_metadata()
    {
        _box.Write("x/a.txt", "xa");
        _box.Write("y/a.txt", "ya");
        _box.Write("y/b.txt", "yb");
        _box.Mkdir("x", mode: 0x1e8);
        Directory.SetLastWriteTimeUtc(Path.Combine(_box.Context, "x"), OldTime.UtcDateTime);

        await _box.CopyAsync(Copy("/parents/", "x/a.txt", "y/a.txt") with { Parents = true });

        Assert.Equal("xa", _box.Read("/parents/x/a.txt"));
        Assert.Equal("ya", _box.Read("/parents/y/a.txt"));
        Assert.False(File.Exists(_box.InRootfs("/parents/y/b.txt")));
        var x = _box.Stat("/parents/x");
        Assert.Equal(("750", OldTime), (x.Octal, x.ModifiedTime));
    }

    [Fact]
    public async Task The_pivot_keeps_only_the_path_after_slash_dot_slash()
    {
        _box.Write("src/app/main.go", "m");
        _box.Write("src/app/lib/util.go", "u");

        await _box.CopyAsync(Copy("/out/", "src/./app/lib/util.go") with { Parents = true });

        Assert.Equal("u", _box.Read("/out/app/lib/util.go"));
        Assert.False(Directory.Exists(_box.InRootfs("/out/src")));
    }

    [Fact]
    public async Task Parents_with_double_star_matches_at_any_depth()
    {
        _box.Write("a/package.json", "1");
        _box.Write("a/b/package.json", "2");
        _box.Write("a/b/other.json", "3");
        _box.Write("package.json", "0");

        await _box.CopyAsync(Copy("/app/", "**/package.json") with { Parents = true });

        Assert.Equal("0", _box.Read("/app/package.json"));
        Assert.Equal("1", _box.Read("/app/a/package.json"));
        Assert.Equal("2", _box.Read("/app/a/b/package.json"));
        Assert.False(File.Exists(_box.InRootfs("/app/a/b/other.json")));
    }

    [Fact]
    public async Task Parents_with_a_matched_directory_brings_everything_under_it()
    {
        _box.Write("pkg/one/f", "f");
        _box.Write("pkg/one/deep/g", "g");

        await _box.CopyAsync(Copy("/d/", "pkg/on*") with { Parents = true });

        Assert.Equal("g", _box.Read("/d/pkg/one/deep/g"));
    }

    [Fact]
    public async Task Exclude_drops_matching_entries_relative_to_each_source()
    {
        _box.Write("dir/keep.txt", "k");
        _box.Write("dir/drop.md", "d");
        _box.Write("dir/sub/drop.md", "d");
        _box.Write("dir/sub/keep.txt", "k");
        _box.Write("dir/node_modules/x/y.js", "y");

        await _box.CopyAsync(Copy("/out/", "dir") with { Excludes = ["**/*.md", "node_modules"] });

        Assert.True(File.Exists(_box.InRootfs("/out/keep.txt")));
        Assert.True(File.Exists(_box.InRootfs("/out/sub/keep.txt")));
        Assert.False(File.Exists(_box.InRootfs("/out/drop.md")));
        Assert.False(File.Exists(_box.InRootfs("/out/sub/drop.md")));
        Assert.False(Directory.Exists(_box.InRootfs("/out/node_modules")));
    }

    [Fact]
    public async Task Exclude_applies_to_wildcard_matches_and_can_reinclude()
    {
        _box.Write("home.txt", "t");
        _box.Write("homer.bin", "b");
        _box.Write("dir/a.log", "a");
        _box.Write("dir/important.log", "i");

        await _box.CopyAsync(Copy("/m/", "hom*") with { Excludes = ["*.txt"] });
        await _box.CopyAsync(Copy("/n/", "dir") with { Excludes = ["*.log", "!important.log"] });

        Assert.Equal(["homer.bin"], Directory.GetFiles(_box.InRootfs("/m")).Select(p => Path.GetFileName(p)!).ToArray());
        Assert.Equal(["important.log"], Directory.GetFiles(_box.InRootfs("/n")).Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public async Task Exclude_and_parents_together()
    {
        _box.Write("a/x.txt", "x");
        _box.Write("a/y.tmp", "y");

        await _box.CopyAsync(Copy("/p/", "a/*") with { Parents = true, Excludes = ["**/*.tmp"] });

        Assert.True(File.Exists(_box.InRootfs("/p/a/x.txt")));
        Assert.False(File.Exists(_box.InRootfs("/p/a/y.tmp")));
    }
}
