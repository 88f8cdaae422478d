using Ashlar.Parser.Instructions;

namespace Ashlar.Parser.Tests.Instructions;

public sealed class StageTests
{
    [Fact]
    public void Instructions_are_grouped_into_stages_with_global_args_first()
    {
        var file = DockerfileParser.Parse("""
            ARG GO=1.22
            ARG BASE
            FROM --platform=$BUILDPLATFORM golang:${GO} AS Build
            RUN go build
            FROM scratch
            COPY --from=build /out /app
            """);

        Assert.Equal(["GO", "BASE"], file.GlobalArgs.SelectMany(a => a.Args).Select(a => a.Name));
        Assert.Equal(2, file.Stages.Count);
        var build = file.Stages[0];
        Assert.Equal((0, "build", "golang:${GO}", "$BUILDPLATFORM"), (build.Index, build.Name, build.BaseName, build.Platform));
        Assert.IsType<RunInstruction>(Assert.Single(build.Instructions));
        Assert.Null(file.Stages[1].Name);
        Assert.Same(build, file.FindStage("BUILD"));
        Assert.Same(file.Stages[1], file.FindStage("1"));
        Assert.Null(file.FindStage("missing"));
    }

    [Fact]
    public void Only_arg_may_precede_the_first_from()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse("ARG A\nRUN echo\nFROM alpine\n"));
        Assert.Equal("no build stage in current context", error.Reason);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Stage_names_are_unique_and_well_formed()
    {
        Assert.Contains("duplicate stage name \"a\"", Assert.Throws<ParseError>(() => DockerfileParser.Parse("FROM x AS a\nFROM y AS A\n")).Message);
        var invalid = Assert.Throws<ParseError>(() => DockerfileParser.Parse("FROM x AS 1st\n"));
        Assert.Contains("invalid name for build stage", invalid.Message);
        Assert.Equal(11, invalid.Column);
        Assert.Contains("FROM requires either one or three arguments", Assert.Throws<ParseError>(() => DockerfileParser.Parse("FROM x y\n")).Message);
    }

    [Fact]
    public void A_file_needs_a_stage()
    {
        Assert.Contains("no FROM instruction", Assert.Throws<ParseError>(() => DockerfileParser.Parse("ARG A\n")).Message);
    }
}
