using Ashlar.Parser.Shell;

namespace Ashlar.Parser.Syntax;

/// <summary>
/// Recognises a heredoc marker word (<c>&lt;&lt;EOF</c>, <c>&lt;&lt;-"EOF"</c>, <c>2&lt;&lt;EOF</c>), BuildKit's
/// <c>^(\d*)&lt;&lt;(-?)([^&lt;]*)$</c> followed by lexing the delimiter with and without quotes: when the two differ
/// in quote count, part of the delimiter was quoted and the body is not expanded.
/// </summary>
internal static class HeredocMarker
{
    private static readonly ShellLexer NameLexer = new('\\') { SkipUnsetEnv = true };
    private static readonly ShellLexer RawNameLexer = new('\\') { SkipUnsetEnv = true, RawQuotes = true };
    private static readonly Dictionary<string, string> NoEnvironment = new();

    /// <summary>The heredoc (without content) the word starts, or null when it is not a marker.</summary>
    public static Heredoc? TryParse(string word)
    {
        var at = 0;
        while (at < word.Length && char.IsAsciiDigit(word[at]))
            at++;
        if (at + 1 >= word.Length || word[at] != '<' || word[at + 1] != '<')
            return null;
        var digits = word[..at];
        at += 2;
        var chomp = at < word.Length && word[at] == '-';
        if (chomp)
            at++;
        var rest = word[at..];
        if (rest.Length == 0 || rest.Contains('<'))
            return null;
        var names = NameLexer.ProcessWords(rest, NoEnvironment);
        if (names.Count != 1)
            return null;
        var rawNames = RawNameLexer.ProcessWords(rest, NoEnvironment);
        if (rawNames.Count != names.Count)
            throw new ParseError($"internal lexing of heredoc produced inconsistent results: {rest}");
        var expand = CountQuotes(names[0]) == CountQuotes(rawNames[0]);
        var descriptor = digits.Length == 0 ? 0 : int.TryParse(digits, out var fd) ? fd : 0;
        return new Heredoc(names[0], descriptor, expand, chomp, "");
    }

    private static int CountQuotes(string word) => word.Count(c => c is '\'' or '"');
}
