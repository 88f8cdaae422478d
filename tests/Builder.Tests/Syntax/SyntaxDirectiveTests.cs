using Ashlar.Builder.Planning;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Syntax;

/// <summary>
/// <c># syntax=</c> and <c>BUILDKIT_SYNTAX</c>: the official Dockerfile frontend (1.x, labs, a digest, docker.io) is
/// Ashlar's built-in one; any other frontend image fails with the file, line and image unless the build opts to
/// ignore it, and then it warns.
/// </summary>
public sealed class SyntaxDirectiveTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private const string Digest = "sha256:9ba7531bd80fb0a858632727cf7a112fbfd19b17e94c4e84ced81e24ef1a0dbc";

    [Theory]
    [InlineData("docker/dockerfile:1")]
    [InlineData("docker/dockerfile:1.7")]
    [InlineData("docker/dockerfile:1.7.1")]
    [InlineData("docker/dockerfile:1-labs")]
    [InlineData("docker/dockerfile:1.7-labs")]
    [InlineData("docker/dockerfile:labs")]
    [InlineData("docker/dockerfile")]
    [InlineData("docker.io/docker/dockerfile:1")]
    [InlineData("index.docker.io/docker/dockerfile:1.4")]
    [InlineData("docker/dockerfile-upstream:master-labs")]
    [InlineData("docker/dockerfile@" + Digest)]
    [InlineData("docker.io/docker/dockerfile:1.7@" + Digest)]
    public void The_official_frontend_is_built_in(string image) => Assert.True(SyntaxFrontend.IsBuiltIn(image));

    [Theory]
    [InlineData("docker/dockerfile:2")]
    [InlineData("docker/dockerfile:0.9")]
    [InlineData("example.com/docker/dockerfile:1")]
    [InlineData("tonistiigi/dockerfile:runmount20180618")]
    [InlineData("ghcr.io/acme/frontend:1")]
    [InlineData("docker/dockerfile:not a reference")]
    public void Other_images_are_foreign(string image) => Assert.False(SyntaxFrontend.IsBuiltIn(image));

    [Fact]
    public async Task A_labs_directive_builds_the_labs_features_ashlar_supports()
    {
        var context = fixture.Context(("app/a/keep.txt", "keep"), ("app/a/skip.log", "skip"), ("app/b/keep.txt", "b"));
        var request = fixture.Request("""
            # syntax=docker/dockerfile:1-labs
            FROM scratch
            COPY --parents --exclude=**/*.log app/*/ /out/
            COPY <<EOF /note.txt
            heredoc
            EOF
            """, context);
        var files = await fixture.FilesAsync(request);

        Assert.Equal("keep", File.ReadAllText(Path.Combine(files, "out/app/a/keep.txt")));
        Assert.Equal("b", File.ReadAllText(Path.Combine(files, "out/app/b/keep.txt")));
        Assert.False(File.Exists(Path.Combine(files, "out/app/a/skip.log")));
        Assert.Equal("heredoc\n", File.ReadAllText(Path.Combine(files, "note.txt")));
    }

    [Fact]
    public async Task A_pinned_release_builds_without_a_warning()
    {
        var built = await fixture.BuildAsync($"# syntax=docker.io/docker/dockerfile:1.7@{Digest}\nFROM scratch\nENV A=1\n");
        Assert.Empty(built.Result.Warnings);
    }

    [Fact]
    public async Task A_foreign_frontend_fails_naming_the_file_line_and_image()
    {
        var request = fixture.Request("# syntax=example.com/acme/frontend:2\nFROM scratch\nENV A=1\n") with { IgnoreForeignSyntax = false, Tags = ["never:syntax"] };
        var error = await Assert.ThrowsAsync<BuildException>(() => Builder.BuildAsync(request));

        Assert.Equal("Dockerfile", error.File);
        Assert.Equal(1, error.Line);
        Assert.Contains("example.com/acme/frontend:2", error.Message);
        Assert.Contains(SyntaxFrontend.IgnoreVariable, error.Message);
        Assert.True(error.IsInputError);
        Assert.NotEmpty(error.Excerpt);
        Assert.Null(await fixture.Store.ResolveAsync(Ashlar.Images.References.ImageReference.Parse("never:syntax")));
    }

    [Fact]
    public async Task An_ignored_foreign_frontend_builds_with_a_warning()
    {
        var request = fixture.Request("# syntax=example.com/acme/frontend:2\nFROM scratch\nENV A=1\n") with { IgnoreForeignSyntax = true };
        var built = await fixture.BuildAsync(request);

        var warning = Assert.Single(built.Result.Warnings);
        Assert.Contains("Dockerfile:1", warning);
        Assert.Contains("example.com/acme/frontend:2", warning);
        Assert.Contains(built.Log.All, e => e.Kind == BuildEventKind.Warning && e.Text == warning);
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1"], built.Config.Env!);
    }

    [Fact]
    public async Task The_buildkit_syntax_build_arg_overrides_the_directive()
    {
        // A foreign directive overridden by the official frontend builds, as BuildKit then never pulls the directive's image.
        var overridden = fixture.Request("# syntax=example.com/acme/frontend:2\nFROM scratch\nENV A=1\n") with
        {
            IgnoreForeignSyntax = false,
            BuildArgs = new Dictionary<string, string> { ["BUILDKIT_SYNTAX"] = "docker/dockerfile:1" },
        };
        var built = await fixture.BuildAsync(overridden);
        Assert.Empty(built.Result.Warnings);

        // And a foreign build arg fails even under an official directive, naming the build arg.
        var foreign = fixture.Request("# syntax=docker/dockerfile:1\nFROM scratch\nENV A=1\n") with
        {
            IgnoreForeignSyntax = false,
            BuildArgs = new Dictionary<string, string> { ["BUILDKIT_SYNTAX"] = "example.com/acme/frontend:2" },
        };
        var error = await Assert.ThrowsAsync<BuildException>(() => Builder.BuildAsync(foreign));
        Assert.Contains("--build-arg BUILDKIT_SYNTAX=example.com/acme/frontend:2", error.Message);
    }
}
