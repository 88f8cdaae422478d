namespace Ashlar.Parser.Tests.Syntax;

public sealed class ErrorTests
{
    [Fact]
    public void Unknown_instruction_suggests_the_closest_one()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse("FROM alpine\n\n  COPPY a b\n", "app/Dockerfile"));

        Assert.Equal("app/Dockerfile", error.File);
        Assert.Equal(3, error.Line);
        Assert.Equal(3, error.Column);
        Assert.Equal("unknown instruction COPPY", error.Reason);
        Assert.Equal("did you mean COPY?", error.Hint);
        Assert.StartsWith("app/Dockerfile:3:3: unknown instruction COPPY; did you mean COPY?", error.Message);
        Assert.Equal("COPPY", error.Text);
    }

    [Fact]
    public void Unknown_flag_points_at_the_flag()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse("FROM alpine\nCOPY --chwon=1 a b\n"));

        Assert.Equal((2, 6), (error.Line, error.Column));
        Assert.Equal("did you mean --chown?", error.Hint);
    }

    [Fact]
    public void Nested_json_is_an_error_in_the_raw_layer()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.ParseSyntax("FROM a\nCMD [ \"echo\", [ \"nested json\" ] ]\n"));
        Assert.Equal(2, error.Line);
        Assert.Contains("strings only", error.Message);
    }

    [Fact]
    public void Empty_file_has_no_instructions()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse(""));
        Assert.Equal("file with no instructions", error.Reason);
    }

    [Fact]
    public void Absurdly_deep_json_or_onbuild_chains_are_errors_not_crashes()
    {
        Assert.Throws<ParseError>(() => DockerfileParser.ParseSyntax("CMD " + new string('[', 100_000)));
        Assert.Throws<ParseError>(() => DockerfileParser.ParseSyntax(string.Concat(Enumerable.Repeat("ONBUILD ", 10_000)) + "RUN x"));
    }
}
