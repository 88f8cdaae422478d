using Ashlar.Parser.Shell;

namespace Ashlar.Parser.Tests.Conformance;

/// <summary>BuildKit's lexer data: every line of shell/envVarTest (ProcessWord) and shell/wordsTest (ProcessWords).</summary>
public sealed class ShellConformanceTests
{
    private static readonly Dictionary<string, string> EnvVarEnvironment = new()
    {
        ["PWD"] = "/home",
        ["SHELL"] = "bash",
        ["KOREAN"] = "한국어",
        ["NULL"] = "",
    };

    public static TheoryData<int, string, string> EnvVarCases()
    {
        var data = new TheoryData<int, string, string>();
        var lines = ConformanceData.Read(Path.Combine(ConformanceData.Root, "shell", "envVarTest")).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#') || line.Trim().Length == 0)
                continue;
            var fields = line.Split('|');
            Assert.Equal(3, fields.Length);
            var platform = fields[0].Trim();
            // Ashlar runs on Linux: "A" (all) and "U" (Unix) lines apply; "W" lines are Windows-only.
            if (platform == "W")
                continue;
            data.Add(i + 1, fields[1].Trim(), fields[2].Trim());
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(EnvVarCases))]
    public void EnvVarTest_line_holds(int line, string input, string expected)
    {
        var lexer = new ShellLexer('\\');
        if (expected == "error")
        {
            Assert.Throws<ParseError>(() => lexer.ProcessWord(input, EnvVarEnvironment));
            return;
        }
        Assert.True(line > 0);
        Assert.Equal(expected, lexer.ProcessWord(input, EnvVarEnvironment));
    }

    [Fact]
    public void EnvVarTest_has_all_its_lines()
    {
        Assert.True(EnvVarCases().Count() > 200);
    }

    [Fact]
    public void Every_wordsTest_line_holds()
    {
        var lexer = new ShellLexer('\\');
        var env = new Dictionary<string, string>();
        var checkedLines = 0;
        var lines = ConformanceData.Read(Path.Combine(ConformanceData.Root, "shell", "wordsTest")).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#') || (line.Length == 0 && i == lines.Length - 1))
                continue;
            if (line.StartsWith("ENV ", StringComparison.Ordinal))
            {
                var assignment = line[4..].TrimStart(' ');
                var equals = assignment.IndexOf('=');
                env[assignment[..equals]] = assignment[(equals + 1)..];
                continue;
            }
            var parts = line.Split('|');
            Assert.True(parts.Length == 2, $"line {i + 1}: expected one '|'");
            var input = parts[0].Trim();
            var expected = parts[1].TrimStart(' ');
            if (expected == "error")
            {
                Assert.Throws<ParseError>(() => lexer.ProcessWords(input, env));
            }
            else
            {
                var words = lexer.ProcessWords(input, env);
                Assert.True(expected.Split(',').SequenceEqual(words),
                    $"line {i + 1}: {input} gave [{string.Join("|", words)}], expected [{expected.Replace(',', '|')}]");
            }
            checkedLines++;
        }
        Assert.Equal(24, checkedLines);
    }
}
