using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;

namespace Ashlar.Parser.Syntax;

/// <summary>
/// Parser directives: <c># key = value</c> on the lines before anything else
/// (https://docs.docker.com/reference/dockerfile/#parser-directives). Keys are case-insensitive;
/// white space around <c>#</c>, the key and <c>=</c> is allowed (BuildKit's <c>\s</c>: space, tab, CR, LF, FF).
/// </summary>
internal static class DirectiveGrammar
{
    private static readonly Parser<char, Unit> DirectiveSpace =
        Token(c => c is ' ' or '\t' or '\r' or '\n' or '\f').SkipMany();

    private static readonly Parser<char, string> DirectiveKey =
        Token(char.IsAsciiLetter).Then(Token(char.IsAsciiLetterOrDigit).ManyString(), (first, rest) => first + rest);

    // The rest of the line after '='; Match trims it the way BuildKit's lazy (.+?)\s*$ does.
    private static readonly Parser<char, string> DirectiveValue = Any.ManyString();

    /// <summary><c># key = value</c>: the key and the raw value (untrimmed).</summary>
    public static readonly Parser<char, (string Key, string Value)> ParserDirective =
        Char('#')
            .Then(DirectiveSpace)
            .Then(DirectiveKey)
            .Before(DirectiveSpace)
            .Before(Char('='))
            .Then(DirectiveValue, (key, value) => (key, value))
            .Before(End);

    /// <summary>Matches BuildKit's <c>^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$</c>; null when the line is no directive.</summary>
    public static (string Key, string Value)? Match(string line)
    {
        if (line.Length == 0 || line[0] != '#')
            return null;
        var result = ParserDirective.Parse(line);
        if (!result.Success)
            return null;
        var (key, rest) = result.Value;
        var start = 0;
        while (start < rest.Length && IsDirectiveSpace(rest[start]))
            start++;
        var end = rest.Length;
        while (end > start && IsDirectiveSpace(rest[end - 1]))
            end--;
        if (end > start)
            return (key, rest[start..end]);
        // Only white space after '=': the lazy (.+?) still takes one character.
        return rest.Length == 0 ? null : (key, rest[^1..]);
    }

    private static bool IsDirectiveSpace(char c) => c is ' ' or '\t' or '\r' or '\n' or '\f';
}
