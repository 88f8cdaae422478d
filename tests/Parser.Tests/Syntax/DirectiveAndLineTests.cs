namespace Ashlar.Parser.Tests.Syntax;

public sealed class DirectiveAndLineTests
{
    [Fact]
    public void Directives_are_read_before_anything_else()
    {
        var file = DockerfileParser.Parse("# syntax=docker/dockerfile:1.7\n#  ESCAPE = `\n# Check=skip=JSONArgsRecommended;error=true\nFROM alpine\nRUN echo `\n  done\n");

        Assert.Equal("docker/dockerfile:1.7", file.Syntax);
        Assert.Equal('`', file.EscapeToken);
        Assert.Equal("skip=JSONArgsRecommended;error=true", file.Check);
        Assert.Equal(["syntax", "escape", "check"], file.Directives.Select(d => d.Name));
        Assert.Equal([1, 2, 3], file.Directives.Select(d => d.Line));
    }

    [Fact]
    public void A_directive_after_a_comment_is_a_comment()
    {
        var file = DockerfileParser.Parse("# hello\n# escape=`\nFROM alpine\n");
        Assert.Empty(file.Directives);
        Assert.Equal('\\', file.EscapeToken);
    }

    [Fact]
    public void Unknown_directive_ends_the_directive_block()
    {
        var file = DockerfileParser.Parse("# foo=bar\n# syntax=x\nFROM alpine\n");
        Assert.Null(file.Syntax);
    }

    [Fact]
    public void Repeated_directive_is_an_error()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse("# escape=\\\n# Escape=`\nFROM alpine\n"));
        Assert.Equal("only one escape parser directive can be used", error.Reason);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Invalid_escape_token_is_an_error()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse("# escape=!\nFROM alpine\n"));
        Assert.Contains("invalid escape token '!'", error.Message);
    }

    [Fact]
    public void Bom_and_crlf_are_accepted()
    {
        var tree = DockerfileParser.ParseSyntax("\uFEFF# syntax=x\r\nFROM alpine\r\nRUN a \\\r\n  b\r\n");

        Assert.Equal("(from \"alpine\")\n(run \"a   b\")\n", tree.Dump());
        Assert.Equal("x", tree.Directives[0].Value);
    }

    [Fact]
    public void Trailing_whitespace_after_the_escape_still_continues()
    {
        var tree = DockerfileParser.ParseSyntax("FROM alpine\nRUN a \\ \t\n  # comment inside\n\n  b\n");

        Assert.Equal("(run \"a   b\")", "(" + tree.Nodes[1].Dump() + ")");
        Assert.Equal((2, 5), (tree.Nodes[1].StartLine, tree.Nodes[1].EndLine));
        Assert.Single(tree.Warnings);
    }

    [Fact]
    public void Ranges_have_columns()
    {
        var tree = DockerfileParser.ParseSyntax("FROM alpine\n   RUN one \\\n  two\n");

        var run = tree.Nodes[1].Range;
        Assert.Equal(new SourceRange(new SourcePosition(2, 4), new SourcePosition(3, 6)), run);
    }

    [Fact]
    public void Comments_above_an_instruction_are_kept()
    {
        var tree = DockerfileParser.ParseSyntax("FROM alpine\n# build it\n# fast\nRUN make\n");
        Assert.Equal(["build it", "fast"], tree.Nodes[1].Comments);
    }
}
