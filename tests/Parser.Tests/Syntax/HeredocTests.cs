using Ashlar.Parser.Instructions;

namespace Ashlar.Parser.Tests.Syntax;

public sealed class HeredocTests
{
    [Fact]
    public void Run_heredoc_body_is_read_until_its_terminator()
    {
        var tree = DockerfileParser.ParseSyntax("FROM alpine\nRUN <<EOF\necho one\necho two\nEOF\nUSER nobody\n");

        var run = tree.Nodes[1];
        Assert.Equal("(run \"<<EOF\")", "(" + run.Dump() + ")");
        var heredoc = Assert.Single(run.Heredocs);
        Assert.Equal("EOF", heredoc.Name);
        Assert.Equal("echo one\necho two\n", heredoc.Content);
        Assert.True(heredoc.Expand);
        Assert.False(heredoc.Chomp);
        Assert.Equal((2, 5), (run.StartLine, run.EndLine));
        Assert.Equal("user", tree.Nodes[2].Value);
    }

    [Fact]
    public void Dash_heredoc_strips_leading_tabs_from_terminator_and_body()
    {
        var file = DockerfileParser.Parse("FROM alpine\nRUN <<-EOT\n\techo tabbed\n\t\tEOT\n");

        var run = Assert.IsType<RunInstruction>(file.Stages[0].Instructions[0]);
        var inline = Assert.Single(run.Heredocs);
        Assert.True(inline.Chomp);
        Assert.Equal("\techo tabbed\n", inline.Data);
        var node = DockerfileParser.ParseSyntax("FROM alpine\nRUN <<-EOT\n\techo tabbed\n\t\tEOT\n").Nodes[1];
        Assert.Equal("echo tabbed\n", node.Heredocs[0].ChompedContent);
    }

    [Theory]
    [InlineData("<<\"EOF\"")]
    [InlineData("<<'EOF'")]
    [InlineData("<<E\"OF\"")]
    public void Quoted_delimiter_turns_expansion_off(string marker)
    {
        var tree = DockerfileParser.ParseSyntax($"FROM alpine\nRUN cat {marker}\n$HOME\nEOF\n");

        var heredoc = Assert.Single(tree.Nodes[1].Heredocs);
        Assert.Equal("EOF", heredoc.Name);
        Assert.False(heredoc.Expand);
        Assert.Equal("$HOME\n", heredoc.Content);
    }

    [Fact]
    public void Several_heredocs_on_one_line_are_read_in_order()
    {
        var tree = DockerfileParser.ParseSyntax("FROM alpine\nRUN <<A bash && 3<<B cat\nfirst\nA\nsecond\nB\nWORKDIR /\n");

        var run = tree.Nodes[1];
        Assert.Equal(["A", "B"], run.Heredocs.Select(h => h.Name));
        Assert.Equal(["first\n", "second\n"], run.Heredocs.Select(h => h.Content));
        Assert.Equal(3, run.Heredocs[1].FileDescriptor);
        Assert.Equal(6, run.EndLine);
        Assert.Equal("workdir", tree.Nodes[2].Value);
    }

    [Fact]
    public void Copy_heredoc_becomes_an_inline_source()
    {
        var file = DockerfileParser.Parse("FROM alpine\nCOPY --chmod=755 <<EOF /usr/local/bin/hi\n#!/bin/sh\necho hi\nEOF\n");

        var copy = Assert.IsType<CopyInstruction>(file.Stages[0].Instructions[0]);
        Assert.Empty(copy.Sources);
        var source = Assert.Single(copy.InlineSources);
        Assert.Equal(new InlineSource("EOF", "#!/bin/sh\necho hi\n", true), source);
        Assert.Equal("/usr/local/bin/hi", copy.Destination);
        Assert.Equal("755", copy.Chmod);
    }

    [Fact]
    public void Add_mixes_paths_and_heredocs()
    {
        var file = DockerfileParser.Parse("FROM alpine\nADD a.txt <<one b.txt /dst/\n1\none\n");

        var add = Assert.IsType<AddInstruction>(file.Stages[0].Instructions[0]);
        Assert.Equal(["a.txt", "b.txt"], add.Sources);
        Assert.Equal("one", Assert.Single(add.InlineSources).Path);
    }

    [Fact]
    public void Heredoc_as_copy_destination_is_rejected()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse("FROM alpine\nCOPY a <<EOF\nx\nEOF\n"));

        Assert.Contains("COPY cannot accept a heredoc as a destination", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public void Unterminated_heredoc_is_an_error_at_its_instruction()
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.ParseSyntax("FROM alpine\n\nRUN <<EOF\necho\n"));

        Assert.Equal("unterminated heredoc", error.Reason);
        Assert.Equal(3, error.Line);
        Assert.Contains("EOF", error.Hint);
    }

    [Fact]
    public void Exec_form_and_other_instructions_do_not_read_heredocs()
    {
        var tree = DockerfileParser.ParseSyntax("FROM alpine\nRUN [\"cat\", \"<<EOF\"]\nLABEL a=<<EOF\nEOF\n");

        Assert.Empty(tree.Nodes[1].Heredocs);
        Assert.Empty(tree.Nodes[2].Heredocs);
        Assert.Equal("eof", tree.Nodes[3].Value);
    }

    [Fact]
    public void Onbuild_trigger_keeps_its_heredoc()
    {
        var file = DockerfileParser.Parse("FROM alpine\nONBUILD RUN <<EOF\necho later\nEOF\n");

        var onbuild = Assert.IsType<OnbuildInstruction>(file.Stages[0].Instructions[0]);
        Assert.Equal("RUN <<EOF\necho later\nEOF", onbuild.Expression);
        var run = Assert.IsType<RunInstruction>(onbuild.Trigger);
        Assert.Equal("echo later\n", Assert.Single(run.Heredocs).Data);
    }
}
