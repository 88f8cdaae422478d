using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps;
using Ashlar.Builder.Tests.FileOps.Support;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class ContextIgnoreTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Ignored_files_are_not_copied_and_a_missing_source_says_it_was_ignored()
    {
        _box.Write(".dockerignore", "# build output\n*.log\n/secret\nbuild/\n!build/keep.txt\n");
        _box.Write("app.log", "l");
        _box.Write("main.c", "m");
        _box.Write("secret", "s");
        _box.Write("build/out.o", "o");
        _box.Write("build/keep.txt", "k");

        await _box.CopyAsync(Copy("/src/", "."));

        Assert.True(File.Exists(_box.InRootfs("/src/main.c")));
        Assert.True(File.Exists(_box.InRootfs("/src/build/keep.txt")));
        Assert.False(File.Exists(_box.InRootfs("/src/build/out.o")));
        Assert.False(File.Exists(_box.InRootfs("/src/app.log")));
        Assert.False(File.Exists(_box.InRootfs("/src/secret")));

        var error = await Assert.ThrowsAsync<SourceNotFoundException>(() => _box.CopyAsync(Copy("/", "secret")));
        Assert.True(error.ExcludedByIgnoreFile);
        Assert.Contains("\"secret\" is excluded from the build context by .dockerignore (pattern \"secret\")", error.Message);
    }

    [Fact]
    public async Task A_dockerfile_specific_ignore_file_wins()
    {
        _box.Write(".dockerignore", "a\n");
        _box.Write("docker/app.Dockerfile.dockerignore", "b\n");
        _box.Write("a", "a");
        _box.Write("b", "b");

        var context = await BuildContext.OpenAsync(_box.Context, Path.Combine(_box.Context, "docker/app.Dockerfile"));
        await _box.CopyAsync(Copy("/o/", "a"), context);

        Assert.True(File.Exists(_box.InRootfs("/o/a")));
        Assert.EndsWith("app.Dockerfile.dockerignore", context.IgnoreFile);
        await Assert.ThrowsAsync<SourceNotFoundException>(() => _box.CopyAsync(Copy("/o/", "b"), context));
    }

    [Theory]
    [InlineData("**/*.go", "a/b/c.go", true)]
    [InlineData("**/*.go", "c.go", true)]
    [InlineData("docs", "docs/x/y.md", true)]
    [InlineData("*/temp*", "somedir/temporary.txt", true)]
    [InlineData("*/temp*", "a/b/temp", false)]
    [InlineData("temp?", "temp1", true)]
    [InlineData("a/**", "a/b", true)]
    [InlineData("[ab].txt", "c.txt", false)]
    public void Patterns_follow_patternmatcher(string pattern, string path, bool ignored) =>
        Assert.Equal(ignored, IgnoreRules.Parse(pattern, ".dockerignore").IsIgnored(path));

    [Fact]
    public void Exclusions_reinclude_and_later_lines_win()
    {
        var rules = IgnoreRules.Parse("*.md\n!README.md\nREADME.md\n!docs/README.md\n", ".dockerignore");
        Assert.True(rules.IsIgnored("CHANGES.md"));
        Assert.True(rules.IsIgnored("README.md"));
        Assert.False(rules.IsIgnored("main.c"));
    }

    [Fact]
    public void A_bad_pattern_names_the_file_and_line()
    {
        var error = Assert.Throws<Ashlar.Parser.ParseError>(() => IgnoreRules.Parse("ok\n[unclosed\n", ".dockerignore"));
        Assert.StartsWith(".dockerignore:2:", error.Message);
    }

    [Fact]
    public async Task Ignored_directories_are_not_walked_unless_an_exclusion_names_something_under_them()
    {
        _box.Write(".dockerignore", "node_modules\nvendor\n!vendor/keep\n");
        _box.Write("node_modules/a/b", "x");
        _box.Write("vendor/drop", "d");
        _box.Write("vendor/keep", "k");
        _box.Write("src/x", "x");
        var context = await _box.OpenContextAsync();

        await using var plan = await CopyOperation.PrepareAsync(Copy("/", "."), context);

        var paths = plan.Entries.Select(e => e.TargetPath).ToList();
        Assert.DoesNotContain(paths, p => p.StartsWith("node_modules", StringComparison.Ordinal));
        Assert.Contains("vendor/keep", paths);
        Assert.DoesNotContain("vendor/drop", paths);
        Assert.Contains("src/x", paths);

        // Named directly, the ignored directory holds only what was re-included.
        await _box.CopyAsync(Copy("/v/", "vendor"));
        Assert.Equal(["keep"], Directory.GetFileSystemEntries(_box.InRootfs("/v")).Select(p => Path.GetFileName(p)!).ToArray());
        var error = await Assert.ThrowsAsync<SourceNotFoundException>(() => _box.CopyAsync(Copy("/n/", "node_modules")));
        Assert.True(error.ExcludedByIgnoreFile);
    }

    [Fact]
    public async Task Source_digest_follows_content_and_effective_mode_not_mtime_and_uses_the_stat_cache()
    {
        var file = _box.Write("src/a.txt", "one", mode: 0x1a4);
        _box.Write(".dockerignore", "src/ignored\n");
        var cacheFile = Path.Combine(_box.Directory, "statcache");

        async Task<(string Digest, int Hits)> Digest(string? chmod = null)
        {
            var cache = await ContextStatCache.LoadAsync(cacheFile);
            var context = await BuildContext.OpenAsync(_box.Context, statCache: cache);
            await using var plan = await CopyOperation.PrepareAsync(Copy("/app/", "src") with { Chmod = chmod }, context);
            var digest = (await plan.ComputeSourceDigestAsync()).ToString();
            await cache.SaveAsync();
            return (digest, cache.Hits);
        }

        var first = await Digest();
        var again = await Digest();
        Assert.Equal(first.Digest, again.Digest);
        Assert.Equal(1, again.Hits); // read from the persistent stat cache, not hashed again

        File.SetLastWriteTimeUtc(file, DateTime.UtcNow); // touch only
        Assert.Equal(first.Digest, (await Digest()).Digest);

        _box.Write("src/ignored", "changes nothing");
        Assert.Equal(first.Digest, (await Digest()).Digest);

        Chmod(file, 0x1ed); // mode-only change: a miss without --chmod, a hit with it
        Assert.NotEqual(first.Digest, (await Digest()).Digest);
        Chmod(file, 0x1a4);
        var withChmod = await Digest("755");
        Chmod(file, 0x180);
        Assert.Equal(withChmod.Digest, (await Digest("755")).Digest);

        File.WriteAllText(file, "two");
        Assert.NotEqual(first.Digest, (await Digest()).Digest);
    }

    [Fact]
    public async Task Fingerprints_name_each_entry_with_its_effective_metadata()
    {
        _box.Write("d/a", "a", mode: 0x1a4);
        _box.Symlink("d/l", "a");
        var context = await _box.OpenContextAsync();

        await using var plan = await CopyOperation.PrepareAsync(Copy("/x/", "d") with { Chown = "app", Chmod = "u+x" }, context);
        var fingerprints = await plan.DescribeSourcesAsync();

        var file = Assert.Single(fingerprints, f => f.TargetPath == "a");
        Assert.Equal(("744", "app", SourceEntryType.File), (file.Mode, file.Owner, file.Type));
        Assert.Equal("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb", file.Content.ToString());
        Assert.Equal("a", Assert.Single(fingerprints, f => f.TargetPath == "l").LinkTarget);
        Assert.Equal("DirectoryContents", fingerprints[0].Placement);
    }
}
