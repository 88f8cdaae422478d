using Ashlar.Parser.Shell;

namespace Ashlar.Parser.Tests.Shell;

public sealed class ShellLexerTests
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["path"] = "/usr/local/bin/app.tar.gz",
        ["empty"] = "",
        ["set"] = "value",
        ["spaced"] = "a  b",
    };

    private static readonly ShellLexer Lexer = new();

    [Theory]
    [InlineData("${path#*/}", "usr/local/bin/app.tar.gz")]
    [InlineData("${path##*/}", "app.tar.gz")]
    [InlineData("${path%.*}", "/usr/local/bin/app.tar")]
    [InlineData("${path%%.*}", "/usr/local/bin/app")]
    [InlineData("${path#/usr}", "/local/bin/app.tar.gz")]
    [InlineData("${path%gz}", "/usr/local/bin/app.tar.")]
    [InlineData("${path#nomatch}", "/usr/local/bin/app.tar.gz")]
    [InlineData("${path#?usr}", "/local/bin/app.tar.gz")]
    [InlineData("${path%.t?r.gz}", "/usr/local/bin/app")]
    [InlineData("${unset#x}", "")]
    [InlineData("${path/local/opt}", "/usr/opt/bin/app.tar.gz")]
    [InlineData("${path//a/A}", "/usr/locAl/bin/App.tAr.gz")]
    [InlineData("${path/a*./X}", "/usr/locXgz")]
    [InlineData("${path/\\/usr/}", "/local/bin/app.tar.gz")]
    [InlineData("${path//[/x}", "/usr/local/bin/app.tar.gz")]
    [InlineData("${unset/a/b}", "")]
    public void Pattern_modifiers_trim_and_replace(string word, string expected)
    {
        Assert.Equal(expected, Lexer.ProcessWord(word, Env));
    }

    [Theory]
    [InlineData("${unset-default}", "default")]
    [InlineData("${empty-default}", "")]
    [InlineData("${empty:-default}", "default")]
    [InlineData("${set-default}", "value")]
    [InlineData("${unset+alt}", "")]
    [InlineData("${empty+alt}", "alt")]
    [InlineData("${empty:+alt}", "")]
    [InlineData("${set:+alt}", "alt")]
    [InlineData("${empty?}", "")]
    [InlineData("${set:?}", "value")]
    [InlineData("${unset:-${set}-x}", "value-x")]
    [InlineData("${unset:-'q}'}", "q}")]
    public void Default_and_alternative_modifiers(string word, string expected)
    {
        Assert.Equal(expected, Lexer.ProcessWord(word, Env));
    }

    [Theory]
    [InlineData("${unset?must be given}", "unset: must be given")]
    [InlineData("${unset?}", "unset: is not allowed to be unset")]
    [InlineData("${empty:?}", "empty: is not allowed to be empty")]
    [InlineData("${empty:?say something}", "empty: say something")]
    [InlineData("${set:#x}", "unsupported modifier (:#) in substitution")]
    [InlineData("${set=x}", "failed to process")]
    [InlineData("${set:=x}", "unsupported modifier (:=) in substitution")]
    [InlineData("${set#\\a}", "invalid escape")]
    public void Failing_expansions_name_the_problem(string word, string message)
    {
        var error = Assert.Throws<ParseError>(() => Lexer.ProcessWord(word, Env));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Words_split_on_unquoted_space_including_space_from_values()
    {
        Assert.Equal(["x", "a", "b", "y"], Lexer.ProcessWords("x $spaced y", Env));
        Assert.Equal(["x", "a  b", "y"], Lexer.ProcessWords("x \"$spaced\" y", Env));
        Assert.Equal(["a b"], Lexer.ProcessWords("a\\ b", Env));
    }

    [Fact]
    public void Matches_report_found_and_missing_variables()
    {
        var result = Lexer.ProcessWordWithMatches("$set ${unset:-$empty} '$quoted'", Env);

        Assert.Equal("value  $quoted", result.Result);
        Assert.Equal(["empty", "set"], result.Matched.Order());
        Assert.Equal(["unset"], result.Unmatched);
    }

    [Fact]
    public void Backtick_is_the_escape_when_configured()
    {
        var lexer = new ShellLexer('`');

        Assert.Equal("a$set\\b", lexer.ProcessWord("a`$set\\b", Env));
        Assert.Equal("C:\\path", lexer.ProcessWord("C:\\path", Env));
    }

    [Fact]
    public void Skip_unset_keeps_references_to_unknown_variables()
    {
        var lexer = new ShellLexer { SkipUnsetEnv = true };

        Assert.Equal("$nope ${nope} ${nope:-x} value", lexer.ProcessWord("$nope ${nope} ${nope:-x} $set", Env));
    }

    [Fact]
    public void Raw_quotes_and_escapes_are_kept_when_asked()
    {
        var lexer = new ShellLexer { RawQuotes = true, RawEscapes = true };

        Assert.Equal("'a' \"b\" c\\ d", lexer.ProcessWord("'a' \"b\" c\\ d", Env));
    }

    [Fact]
    public void Only_backslash_and_backtick_are_escape_tokens()
    {
        Assert.Throws<ParseError>(() => new ShellLexer('!'));
    }

    [Fact]
    public void Pathological_patterns_match_in_linear_time()
    {
        var env = new Dictionary<string, string> { ["long"] = new string('a', 20_000) };
        Assert.Equal(new string('a', 20_000), Lexer.ProcessWord("${long%*a*a*a*a*a*a*a*a*b}", env));
    }

    [Fact]
    public void Absurd_nesting_is_a_parse_error_not_a_crash()
    {
        var word = string.Concat(Enumerable.Repeat("${a:-", 5000)) + string.Concat(Enumerable.Repeat("}", 5000));
        Assert.Throws<ParseError>(() => Lexer.ProcessWord(word, Env));
    }
}
