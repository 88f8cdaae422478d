using Ashlar.Parser.Syntax;
using CsCheck;
using Pidgin;

namespace Ashlar.Parser.Tests.Syntax;

/// <summary>The hand-written fast paths give exactly what the grammars give, on the inputs they accept.</summary>
public sealed class FastPathTests
{
    private const string Alphabet = "ab-=/. \t\u00a0,:$x--";

    [Fact]
    public void Simple_flag_split_agrees_with_the_flag_grammar()
    {
        Gen.String[Gen.Char[Alphabet], 0, 60].Sample(body =>
        {
            var simple = FlagGrammar.ExtractSimple(body, 0);
            Assert.NotNull(simple);
            var grammar = FlagGrammar.BuilderFlags.Parse(body);
            Assert.True(grammar.Success);
            Assert.Equal(grammar.Value.Flags, simple.Value.Flags);
            Assert.Equal(body[grammar.Value.ArgumentsOffset..].Trim(), simple.Value.Body.Trim());
        }, iter: 5000);
    }

    [Fact]
    public void Simple_word_split_agrees_with_the_words_grammar()
    {
        Gen.String[Gen.Char[Alphabet], 0, 60].Sample(body =>
        {
            var grammar = InstructionBodyGrammar.Backslash.Words.Parse(body);
            Assert.True(grammar.Success);
            Assert.Equal(grammar.Value, InstructionBodyGrammar.SplitOnWhitespace(body));
        }, iter: 5000);
    }

    [Fact]
    public void Simple_csv_split_agrees_with_the_csv_grammar()
    {
        Gen.String[Gen.Char["ab=,/ \t"], 0, 40].Sample(text =>
        {
            var grammar = FlagGrammar.CsvRecord.Parse(text);
            Assert.True(grammar.Success);
            Assert.Equal(grammar.Value, FlagGrammar.SplitCsv(text));
        }, iter: 3000);
        Assert.Equal(["type=bind", "source=a,b"], FlagGrammar.SplitCsv("type=bind,\"source=a,b\""));
        Assert.Null(FlagGrammar.SplitCsv("a\"b"));
    }
}
