using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;

namespace Ashlar.Parser.Syntax;

/// <summary>
/// Instruction flags: the leading <c>--name[=value]</c> words of an instruction (BuildKit's <c>extractBuilderFlags</c>),
/// a single flag word, and the CSV body of <c>RUN --mount=...</c>.
/// </summary>
internal static class FlagGrammar
{
    private static readonly Parser<char, Unit> FlagSpace = Token(char.IsWhiteSpace).SkipAtLeastOnce();

    // In flag words the escape is always a backslash (not the file's escape token), and quotes of either kind
    // are removed; an unterminated quote runs to the end of the line. An escape at the very end is dropped.
    private static readonly Parser<char, string> FlagEscape =
        Char('\\').Then(Any.Select(c => c.ToString()).Or(End.ThenReturn("")));

    private static Parser<char, string> FlagQuoted(char quote) =>
        Char(quote)
            .Then(OneOf(FlagEscape, Token(c => c != quote && c != '\\').AtLeastOnceString()).ManyString())
            .Before(Char(quote).IgnoreResult().Or(End));

    private static readonly Parser<char, string> FlagWordPart = OneOf(
        FlagEscape,
        FlagQuoted('"'),
        FlagQuoted('\''),
        Token(c => !char.IsWhiteSpace(c) && c != '"' && c != '\'' && c != '\\').AtLeastOnceString());

    /// <summary>A word that starts with <c>--</c> as written, with quotes removed and escapes processed.</summary>
    public static readonly Parser<char, string> FlagWord =
        Lookahead(String("--")).Then(FlagWordPart.AtLeastOnceString());

    private static readonly Parser<char, string> NextFlagWord = FlagSpace.Optional().Then(FlagWord);

    /// <summary>
    /// The flag words at the start of an instruction body and the offset where its arguments begin.
    /// A bare <c>--</c> ends the flags and is not recorded.
    /// </summary>
    public static readonly Parser<char, (List<string> Flags, int ArgumentsOffset)> BuilderFlags =
        Map(
            (flags, _, offset) => (flags.ToList(), offset),
            Try(NextFlagWord.Assert(word => word != "--")).Many(),
            Try(NextFlagWord).Optional(),
            FlagSpace.Optional().Then(CurrentOffset));

    /// <summary>Splits <c>--name=value</c> (or <c>--name</c>) into name and value (null when there is no <c>=</c>).</summary>
    public static readonly Parser<char, (string Name, string? Value)> BuilderFlag =
        String("--")
            .Then(Token(c => c != '=').ManyString())
            .Then(Char('=').Then(Any.ManyString()).Optional(), (name, value) => (name, value.HasValue ? value.Value : null))
            .Before(End);

    // ---- CSV (Go's encoding/csv with default settings), used by --mount ----

    private static readonly Parser<char, char> EscapedQuote = Try(String("\"\"")).ThenReturn('"');

    private static readonly Parser<char, string> QuotedField =
        Char('"').Then(OneOf(EscapedQuote, AnyCharExcept('"')).ManyString()).Before(Char('"'));

    private static readonly Parser<char, string> BareField = Token(c => c != ',' && c != '"' && c != '\n').ManyString();

    /// <summary>One CSV field: a quoted field (with <c>""</c> for a quote) or a bare field without quotes.</summary>
    public static readonly Parser<char, string> CsvField = QuotedField.Or(BareField);

    /// <summary>A CSV record: fields separated by commas, nothing after the last one.</summary>
    public static readonly Parser<char, List<string>> CsvRecord =
        CsvField.Separated(Char(',')).Before(End).Select(fields => fields.ToList());

    /// <summary>Extracts leading flags from an instruction body; returns the remaining text (untrimmed).</summary>
    public static (List<string> Flags, string Body) Extract(string body)
    {
        var start = 0;
        while (start < body.Length && char.IsWhiteSpace(body[start]))
            start++;
        // Fast path: nearly every instruction has no flags.
        if (start + 1 >= body.Length || body[start] != '-' || body[start + 1] != '-')
            return ([], body[start..]);
        var result = BuilderFlags.Parse(body);
        if (!result.Success)
            return ([], body[start..]);
        var (flags, offset) = result.Value;
        return (flags, body[offset..]);
    }
}
