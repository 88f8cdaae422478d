using Ashlar.Builder.Tests.Support;
using Ashlar.Images.References;

namespace Ashlar.Builder.Tests;

public sealed class ErrorTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private async Task<BuildException> FailsAsync(BuildRequest request)
    {
        var before = await fixture.Store.ListAsync();
        var error = await Assert.ThrowsAsync<BuildException>(() => Builder.BuildAsync(request));
        // Nothing stored is lost or added under a name.
        Assert.Equal(before.Count, (await fixture.Store.ListAsync()).Count);
        Assert.NotNull(await fixture.Store.ResolveAsync(ImageReference.Parse(BusyboxImage.Name)));
        return error;
    }

    [Fact]
    public async Task Unknown_target_names_the_stages()
    {
        var error = await FailsAsync(fixture.Request("FROM busybox AS one\nFROM busybox AS two\n") with { Target = "three", Tags = ["never:1"] });
        Assert.Contains("failed to reach build target three", error.Message);
        Assert.Contains("one, two", error.Message);
        Assert.True(error.IsInputError);
    }

    [Fact]
    public async Task Cyclic_from_is_rejected_with_the_line()
    {
        var error = await FailsAsync(fixture.Request("FROM busybox AS a\nCOPY --from=b /x /x\nFROM busybox AS b\nCOPY --from=a /y /y\n"));
        Assert.Contains("circular dependency detected", error.Message);
        Assert.Equal("Dockerfile", error.File);
        Assert.True(error.Line is 2 or 4);
        Assert.NotEmpty(error.Excerpt);
    }

    [Fact]
    public async Task A_stage_index_out_of_range_is_rejected()
    {
        var error = await FailsAsync(fixture.Request("FROM busybox\nCOPY --from=5 /x /x\n"));
        Assert.Contains("invalid stage index \"5\"", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task A_bad_build_arg_name_is_an_input_error()
    {
        var error = await FailsAsync(fixture.Request("FROM busybox\n") with { BuildArgs = new Dictionary<string, string> { ["BAD NAME"] = "1" } });
        Assert.Contains("invalid build argument name", error.Message);
    }

    [Fact]
    public async Task A_missing_context_file_names_the_path()
    {
        var error = await FailsAsync(fixture.Request("FROM busybox\nCOPY missing.txt /\n", fixture.Context(("present.txt", "x"))));
        Assert.Contains("missing.txt", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task A_syntax_error_has_file_line_and_column()
    {
        var error = await FailsAsync(fixture.Request("FROM busybox\nFROBNICATE x\n"));
        Assert.Equal(2, error.Line);
        Assert.Contains("unknown instruction", error.Message);
    }

    [Fact]
    public async Task A_missing_base_image_fails_with_its_name()
    {
        var error = await FailsAsync(fixture.Request("FROM 127.0.0.1:9/ashlar/absent:1\n"));
        Assert.Contains("127.0.0.1:9/ashlar/absent", error.Message);
        Assert.Equal(1, error.Line);
    }
}
