using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;

namespace Ashlar.Parser.Shell;

/// <summary>
/// The syntax of a shell word as BuildKit's lexer reads it (frontend/dockerfile/shell/lex.go): quotes, escapes and
/// parameter expansions (https://pubs.opengroup.org/onlinepubs/9699919799/utilities/V3_chap02.html#tag_18_06_02).
/// One instance per escape character; every rule is built once.
/// </summary>
internal sealed class ShellWordGrammar
{
    private const string SpecialParameters = "@*#?-$!0";

    /// <summary>A parameter name: digits (positional), one special character, or letters, digits and underscores.</summary>
    private static readonly Parser<char, string> ParameterName = OneOf(
        Token(char.IsDigit).AtLeastOnceString(),
        OneOf(SpecialParameters).Select(c => c.ToString()),
        Token(c => char.IsLetterOrDigit(c) || c == '_').ManyString());

    private static readonly Parser<char, WordPart> SingleQuotedText =
        Char('\'').Then(AnyCharExcept('\'').ManyString()).Before(Char('\'')).Select(text => (WordPart)new SingleQuoted(text));

    private readonly char _escape;

    // Built after the static rules above (static initializers run in textual order).
    public static readonly ShellWordGrammar Backslash = new('\\');
    public static readonly ShellWordGrammar Backtick = new('`');

    public static ShellWordGrammar For(char escapeToken) => escapeToken == '`' ? Backtick : Backslash;


    private ShellWordGrammar(char escape)
    {
        _escape = escape;
        Parser<char, WordPart>? parameterExpansion = null;
        var expansion = Rec(() => parameterExpansion!);

        var doubleQuoted = Char('"')
            .Then(OneOf(
                    expansion,
                    Char(escape).Then(
                        OneOf('"', '$', escape).Select(c => (WordPart)new EscapedChar(c))
                            .Or(Lookahead(Any).ThenReturn((WordPart)new LoneEscape()))),
                    Token(c => c != '"' && c != '$' && c != escape).AtLeastOnceString().Select(t => (WordPart)new PlainText(t)))
                .Many())
            .Before(Char('"'))
            .Select(parts => (WordPart)new DoubleQuoted(parts.ToList()));

        Parser<char, Word> WordUntil(char stop, bool rawEscapes) =>
            OneOf(
                    SingleQuotedText,
                    doubleQuoted,
                    expansion,
                    Char(escape).Then(Any).Select(c => (WordPart)new EscapedChar(c)),
                    Token(c => c != stop && c != '\'' && c != '"' && c != '$' && c != escape)
                        .AtLeastOnceString().Select(t => (WordPart)new PlainText(t)))
                .Many()
                .Before(Char(stop))
                .Select(parts => new Word(parts.ToList(), rawEscapes));

        var untilBrace = WordUntil('}', false);
        var patternUntilBrace = WordUntil('}', true);
        var patternUntilSlash = WordUntil('/', true);

        // What follows the name inside ${...}; it yields a function of the name so that every rule is built once
        // here rather than per expansion while parsing.
        var afterName = OneOf(
            Char('}').ThenReturn<Func<string, WordPart>>(name => new Variable(name, true)),
            Char(':').Then(Map<char, char, Word, Func<string, WordPart>>(
                (op, word) => name => new Modified(name, ":" + op, word),
                Any.Assert(op => op is not ('#' or '%'), op => $"unsupported modifier (:{op}) in substitution"),
                untilBrace)),
            Map<char, char, Word, Func<string, WordPart>>(
                (op, word) => name => new Modified(name, op.ToString(), word),
                OneOf('+', '-', '?'),
                untilBrace),
            Map<char, char, Word, Func<string, WordPart>>(
                (op, word) => name => new Modified(name, op.ToString(), word),
                OneOf('#', '%'),
                patternUntilBrace),
            Char('/').Then(Map<char, Maybe<char>, Word, Word, Func<string, WordPart>>(
                (all, pattern, with) => name => new Replacement(name, all.HasValue, pattern, with),
                Char('/').Optional(),
                patternUntilSlash,
                patternUntilBrace)));

        var braced = Char('{')
            .Then(Lookahead(Token(c => c is not ('{' or '}' or ':'))).Labelled("a parameter name"))
            .Then(Map((name, tail) => tail(name), ParameterName, afterName));

        parameterExpansion = Char('$').Then(OneOf(
            braced,
            ParameterName.Select(name => name.Length == 0 ? (WordPart)new DollarSign() : new Variable(name, false))));

        Word = OneOf(
                SingleQuotedText,
                doubleQuoted,
                expansion,
                Char(escape).Then(Any.Select(c => (WordPart)new EscapedChar(c)).Or(End.ThenReturn((WordPart)new TrailingEscape()))),
                Token(c => c != '\'' && c != '"' && c != '$' && c != escape).AtLeastOnceString().Select(t => (WordPart)new PlainText(t)))
            .Many()
            .Before(End)
            .Select(parts => new Word(parts.ToList(), false));
    }

    /// <summary>The escape character this grammar was built for.</summary>
    public char Escape => _escape;

    /// <summary>A whole input processed as shell text.</summary>
    public Parser<char, Word> Word { get; }
}
