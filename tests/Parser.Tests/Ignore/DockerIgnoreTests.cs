using Ashlar.Parser.Ignore;

namespace Ashlar.Parser.Tests.Ignore;

public sealed class DockerIgnoreTests
{
    [Theory]
    [InlineData("*.go", "main.go", true)]
    [InlineData("*.go", "cmd/main.go", false)]
    [InlineData("**/*.go", "cmd/tool/main.go", true)]
    [InlineData("**/*.go", "main.go", true)]
    [InlineData("docs", "docs/guide/intro.md", true)]
    [InlineData("docs/**", "docs/a.md", true)]
    [InlineData("docs/**", "docs", false)]
    [InlineData("**", "anything/at/all", true)]
    [InlineData("?.txt", "a.txt", true)]
    [InlineData("?.txt", "ab.txt", false)]
    [InlineData("[ab].txt", "b.txt", true)]
    [InlineData("[ab].txt", "c.txt", false)]
    [InlineData("\\*.txt", "*.txt", true)]
    [InlineData("\\*.txt", "a.txt", false)]
    [InlineData("/secret.txt", "secret.txt", true)]
    [InlineData("./build", "build/out.bin", true)]
    [InlineData("a/../b", "b", true)]
    [InlineData("**/node_modules", "web/node_modules/x/index.js", true)]
    [InlineData("*/temp*", "some/temporary", true)]
    [InlineData("*/temp*", "some/dir/temporary", false)]
    [InlineData("temp?", "temp", false)]
    [InlineData("a.b", "axb", false)]
    public void Patterns_match_like_docker(string pattern, string path, bool excluded)
    {
        Assert.Equal(excluded, DockerIgnore.Parse(pattern).IsExcluded(path));
    }

    [Fact]
    public void Exceptions_reinclude_and_later_patterns_win()
    {
        var ignore = DockerIgnore.Parse("""
            # build output
            docs

            !docs/keep.md
            *.log
            !important.log
            important.log
            """);

        Assert.True(ignore.IsExcluded("docs/other.md"));
        Assert.False(ignore.IsExcluded("docs/keep.md"));
        Assert.True(ignore.IsExcluded("important.log"));
        Assert.False(ignore.IsExcluded("src/app.cs"));
        Assert.False(ignore.IsExcluded("./src/app.cs"));
        Assert.True(ignore.HasExceptions);
        Assert.Equal(["docs", "!docs/keep.md", "*.log", "!important.log", "important.log"], ignore.Patterns.Select(p => p.ToString()));
    }

    [Fact]
    public void Walker_may_skip_a_directory_only_when_nothing_below_can_come_back()
    {
        Assert.True(DockerIgnore.Parse("node_modules").CanSkipDirectory("node_modules"));
        Assert.False(DockerIgnore.Parse("node_modules").CanSkipDirectory("src"));
        Assert.False(DockerIgnore.Parse("docs\n!docs/keep.md").CanSkipDirectory("docs"));
        Assert.True(DockerIgnore.Parse("docs\n!other/keep.md").CanSkipDirectory("docs"));
        Assert.False(DockerIgnore.Parse("**\n!**/keep").CanSkipDirectory("a/b"));
        Assert.False(DockerIgnore.Parse("*\n!src/*.cs").CanSkipDirectory("src"));
        Assert.True(DockerIgnore.Parse("*\n!src/*.cs").CanSkipDirectory("bin"));
    }

    [Fact]
    public void Malformed_patterns_are_reported_with_their_line()
    {
        var lone = Assert.Throws<ParseError>(() => DockerIgnore.Parse("ok\n!\n", "ctx/.dockerignore"));
        Assert.Equal(("ctx/.dockerignore", 2), (lone.File, lone.Line));
        Assert.Contains("illegal exclusion pattern", lone.Message);

        var bracket = Assert.Throws<ParseError>(() => DockerIgnore.Parse("[abc\n"));
        Assert.Contains("unclosed '['", bracket.Message);
    }

    [Fact]
    public async Task Dockerfile_specific_ignore_file_wins()
    {
        var context = Directory.CreateTempSubdirectory("ashlar-ignore-");
        try
        {
            var dockerfile = Path.Combine(context.FullName, "build", "app.Dockerfile");
            Directory.CreateDirectory(Path.GetDirectoryName(dockerfile)!);
            await File.WriteAllTextAsync(dockerfile, "FROM alpine\n");
            Assert.Null(DockerIgnore.ResolvePath(context.FullName, dockerfile));
            Assert.Same(DockerIgnore.Empty, await DockerIgnore.LoadAsync(context.FullName, dockerfile));

            await File.WriteAllTextAsync(Path.Combine(context.FullName, ".dockerignore"), "general\n");
            Assert.True((await DockerIgnore.LoadAsync(context.FullName, dockerfile)).IsExcluded("general"));

            await File.WriteAllTextAsync(dockerfile + ".dockerignore", "specific\n");
            Assert.Equal(dockerfile + ".dockerignore", DockerIgnore.ResolvePath(context.FullName, dockerfile));
            var ignore = await DockerIgnore.LoadAsync(context.FullName, dockerfile);
            Assert.True(ignore.IsExcluded("specific"));
            Assert.False(ignore.IsExcluded("general"));
        }
        finally
        {
            context.Delete(recursive: true);
        }
    }
}
