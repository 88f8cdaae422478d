using Ashlar.Parser.Syntax;

namespace Ashlar.Parser.Tests.Conformance;

/// <summary>BuildKit's parser test data: positive dumps, negative cases and line numbers (see SOURCE.md there).</summary>
public sealed class ParserConformanceTests
{
    public static TheoryData<string> PositiveCases() => new(ConformanceData.CaseNames(ConformanceData.ParserCases));

    public static TheoryData<string> NegativeCases() => new(ConformanceData.CaseNames(ConformanceData.NegativeCases));

    [Fact]
    public void The_conformance_data_is_there()
    {
        Assert.True(Directory.Exists(ConformanceData.ParserCases), $"missing {ConformanceData.ParserCases}");
        Assert.Equal(33, ConformanceData.CaseNames(ConformanceData.ParserCases).Count());
        Assert.Equal(4, ConformanceData.CaseNames(ConformanceData.NegativeCases).Count());
    }

    [Theory]
    [MemberData(nameof(PositiveCases))]
    public void Dump_matches_BuildKit_result(string name)
    {
        var folder = Path.Combine(ConformanceData.ParserCases, name);
        var dockerfile = ConformanceData.Read(Path.Combine(folder, "Dockerfile"));
        var expected = ConformanceData.Read(Path.Combine(folder, "result"));

        var tree = DockerfileParser.ParseSyntax(dockerfile, name + "/Dockerfile");

        Assert.Equal(expected, tree.Dump());
    }

    [Theory]
    [MemberData(nameof(NegativeCases))]
    public void Negative_case_is_rejected(string name)
    {
        var dockerfile = ConformanceData.Read(Path.Combine(ConformanceData.NegativeCases, name, "Dockerfile"));

        var error = Assert.Throws<ParseError>(() => DockerfileParser.ParseSyntax(dockerfile, name));
        Assert.Equal(name, error.File);
        Assert.Throws<ParseError>(() => DockerfileParser.Parse(dockerfile, name));
    }

    [Fact]
    public void Line_ranges_include_continuations_blank_and_comment_lines()
    {
        var dockerfile = ConformanceData.Read(Path.Combine(ConformanceData.Root, "parser", "testfile-line", "Dockerfile"));

        var tree = DockerfileParser.ParseSyntax(dockerfile);

        Assert.Equal([(5, 5), (11, 12), (17, 31)], tree.Nodes.Select(n => (n.StartLine, n.EndLine)).ToArray());
        Assert.Equal(5, tree.Nodes[0].StartLine);
        Assert.Equal(31, tree.Nodes[^1].EndLine);
    }

    [Theory]
    [MemberData(nameof(PositiveCases))]
    public void Typed_layer_accepts_or_reports_a_located_error(string name)
    {
        var dockerfile = ConformanceData.Read(Path.Combine(ConformanceData.ParserCases, name, "Dockerfile"));
        try
        {
            var parsed = DockerfileParser.Parse(dockerfile, name);
            Assert.NotEmpty(parsed.Stages);
        }
        catch (ParseError error)
        {
            // Some cases are only valid for the line parser (unknown flags, HEALTHCHECK CONNECT, CMD before FROM).
            Assert.Equal(name, error.File);
            Assert.True(error.Line > 0, error.Message);
            Assert.DoesNotContain("internal parser error", error.Message);
        }
    }
}
