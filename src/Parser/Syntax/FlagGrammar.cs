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

    /// <summary>
    /// Splits <c>--mount</c> options into CSV fields; null when they are not valid CSV. Options without quotes (the
    /// usual case) are split directly; a property test checks this agrees with <see cref="CsvRecord"/>.
    /// </summary>
    public static List<string>? SplitCsv(string text)
    {
        if (text.AsSpan().IndexOfAny('"', '\n') < 0)
            return [.. text.Split(',')];
        var result = CsvRecord.Parse(text);
        return result.Success ? result.Value : null;
    }

    /// <summary>Extracts leading flags from an instruction body; returns the remaining text (untrimmed).</summary>
    public static (List<string> Flags, string Body) Extract(string body)
    {
        var start = 0;
        while (start < body.Length && char.IsWhiteSpace(body[start]))
            start++;
        // Fast path: nearly every instruction has no flags.
        if (start + 1 >= body.Length || body[start] != '-' || body[start + 1] != '-')
            return ([], body[start..]);
        var simple = ExtractSimple(body, start);
        if (simple is not null)
            return simple.Value;
        var result = BuilderFlags.Parse(body);
        if (!result.Success)
            return ([], body[start..]);
        var (flags, offset) = result.Value;
        return (flags, body[offset..]);
    }

    /// <summary>
    /// The same split for flag words without quotes or backslashes (nearly all of them), done directly because it is
    /// on the hot path; null when a flag word needs the grammar. A property test checks the two agree.
    /// </summary>
    internal static (List<string> Flags, string Body)? ExtractSimple(string body, int start)
    {
        var flags = new List<string>();
        var i = start;
        while (true)
        {
            while (i < body.Length && char.IsWhiteSpace(body[i]))
                i++;
            if (i + 1 >= body.Length || body[i] != '-' || body[i + 1] != '-')
                return (flags, body[i..]);
            var wordStart = i;
            while (i < body.Length && !char.IsWhiteSpace(body[i]))
            {
                if (body[i] is '"' or '\'' or '\\')
                    return null;
                i++;
            }
            var word = body[wordStart..i];
            if (word == "--")
                return (flags, body[i..]);
            flags.Add(word);
        }
    }
}
