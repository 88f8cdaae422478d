using Pidgin;
using static Pidgin.Parser;
using static Pidgin.Parser<char>;

namespace Ashlar.Parser.Syntax;

/// <summary>
/// The argument shapes of instruction bodies (BuildKit's line parsers): the JSON exec form, white-space separated
/// lists, and the quote-aware words of ENV, LABEL and ARG. The JSON rules follow Go's encoding/json, which BuildKit
/// decodes exec forms with, so the same inputs fall back to shell form.
/// </summary>
internal sealed class InstructionBodyGrammar
{
    // ---- JSON (https://www.rfc-editor.org/rfc/rfc8259) ----

    private static readonly Parser<char, Unit> JsonWhitespace = Token(c => c is ' ' or '\t' or '\n' or '\r').SkipMany();

    private static readonly Parser<char, int> HexDigit =
        Token(char.IsAsciiHexDigit).Select(c => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);

    private static readonly Parser<char, int> UnicodeEscape =
        Try(String("\\u")).Then(Map((a, b, c, d) => (a << 12) | (b << 8) | (c << 4) | d, HexDigit, HexDigit, HexDigit, HexDigit));

    // Go decodes a \uD8xx\uDCxx pair to one character and any lone surrogate escape to U+FFFD.
    private static readonly Parser<char, string> UnicodeEscapeSequence =
        UnicodeEscape.Then(hi =>
            char.IsHighSurrogate((char)hi)
                ? Try(UnicodeEscape.Assert(lo => char.IsLowSurrogate((char)lo)))
                    .Select(lo => new string([(char)hi, (char)lo]))
                    .Or(Return("\uFFFD"))
                : Return(char.IsSurrogate((char)hi) ? "\uFFFD" : ((char)hi).ToString()));

    private static readonly Parser<char, string> SimpleEscape =
        Char('\\').Then(OneOf("\"\\/bfnrt")).Select(c => c switch
        {
            'b' => "\b",
            'f' => "\f",
            'n' => "\n",
            'r' => "\r",
            't' => "\t",
            _ => c.ToString(),
        });

    private static readonly Parser<char, string> JsonCharacters = Token(c => c != '"' && c != '\\' && c >= ' ').AtLeastOnceString();

    public static readonly Parser<char, string> JsonString =
        OneOf(JsonCharacters, UnicodeEscapeSequence, SimpleEscape).ManyString().Between(Char('"'));

    private static readonly Parser<char, string> Digits = Token(char.IsAsciiDigit).AtLeastOnceString();

    private static readonly Parser<char, Unit> JsonNumber =
        Char('-').Optional()
            .Then(Char('0').IgnoreResult().Or(Token(c => c is >= '1' and <= '9').Then(Token(char.IsAsciiDigit).SkipMany())))
            .Then(Char('.').Then(Digits).Optional())
            .Then(OneOf('e', 'E').Then(OneOf('+', '-').Optional()).Then(Digits).Optional())
            .IgnoreResult();

    private static readonly Parser<char, Unit> JsonLiteral = OneOf(String("true"), String("false"), String("null")).IgnoreResult();

    // A JSON value as an exec-form element: the string, or null for anything that is valid JSON but not a string.
    private static readonly Parser<char, string?> JsonValue = Rec(() => OneOf(
        JsonString.Select(s => (string?)s),
        JsonArray!.Select(_ => (string?)null),
        JsonObject!.Select(_ => (string?)null),
        JsonNumber.Select(_ => (string?)null),
        JsonLiteral.Select(_ => (string?)null)));

    private static readonly Parser<char, Unit> JsonMember =
        JsonString.Then(JsonWhitespace).Then(Char(':')).Then(JsonWhitespace).Then(JsonValue).Then(JsonWhitespace);

    private static readonly Parser<char, Unit> JsonObject =
        Char('{').Then(JsonWhitespace).Then(JsonMember.Separated(Char(',').Then(JsonWhitespace))).Then(Char('}')).IgnoreResult();

    /// <summary>A JSON array; its elements, with null for each element that is not a string.</summary>
    public static readonly Parser<char, List<string?>> JsonArray =
        Char('[')
            .Then(JsonWhitespace)
            .Then(JsonValue.Before(JsonWhitespace).Separated(Char(',').Then(JsonWhitespace)))
            .Before(Char(']'))
            .Select(values => values.ToList());

    // ---- White-space separated lists (FROM, EXPOSE, and ADD/COPY/VOLUME without JSON) ----

    private static bool IsTokenSpace(char c) => c is '\t' or '\v' or '\f' or '\r' or ' ';

    private static readonly Parser<char, Unit> TokenSpace = Token(IsTokenSpace).SkipAtLeastOnce();

    private static readonly Parser<char, string> BareToken = Token(c => !IsTokenSpace(c)).AtLeastOnceString();

    /// <summary>BuildKit's <c>[\t\v\f\r ]+</c> split of an already trimmed body.</summary>
    public static readonly Parser<char, List<string>> WhitespaceDelimited =
        TokenSpace.Optional().Then(BareToken.SeparatedAndOptionallyTerminated(TokenSpace)).Select(words => words.ToList());

    // ---- Quote-aware words (ENV, LABEL, ARG): quotes and escapes are kept, only the splitting is done ----

    public static readonly InstructionBodyGrammar Backslash = new('\\');
    public static readonly InstructionBodyGrammar Backtick = new('`');

    public static InstructionBodyGrammar For(char escapeToken) => escapeToken == '`' ? Backtick : Backslash;

    private InstructionBodyGrammar(char escape)
    {
        Escape = escape;
        // An escape keeps itself and the next character; an escape that ends the text is dropped.
        var escaped = Char(escape).Then(Any.Select(c => new string([escape, c])).Or(End.ThenReturn("")));
        var doubleQuoted = Char('"')
            .Then(OneOf(escaped, Token(c => c != '"' && c != escape).AtLeastOnceString()).ManyString(), (q, body) => q + body)
            .Then(Char('"').Select(c => c.ToString()).Or(End.ThenReturn("")), (body, close) => body + close);
        var singleQuoted = Char('\'')
            .Then(Token(c => c != '\'').ManyString(), (q, body) => q + body)
            .Then(Char('\'').Select(c => c.ToString()).Or(End.ThenReturn("")), (body, close) => body + close);
        var plain = Token(c => !char.IsWhiteSpace(c) && c != '"' && c != '\'' && c != escape).AtLeastOnceString();
        Word = OneOf(plain, escaped, doubleQuoted, singleQuoted).AtLeastOnceString();
        var space = Token(char.IsWhiteSpace).SkipAtLeastOnce();
        Words = space.Optional().Then(Word.SeparatedAndOptionallyTerminated(space)).Before(End).Select(w => w.ToList());
    }

    /// <summary>One word of an ENV/LABEL/ARG body, quotes and escapes still in it.</summary>
    public Parser<char, string> Word { get; }

    /// <summary>BuildKit's <c>parseWords</c>: split on unquoted white space, keep quotes and escapes.</summary>
    public Parser<char, List<string>> Words { get; }

    private char Escape { get; init; }

    /// <summary>
    /// <see cref="Words"/> applied to a body. Bodies without quotes or escapes (most ENV, LABEL and ARG lines) are
    /// split directly, which gives the same words for a fraction of the cost; a property test checks the two agree.
    /// </summary>
    public List<string> SplitWords(string body)
    {
        if (body.AsSpan().IndexOfAny('"', '\'', Escape) < 0)
            return SplitOnWhitespace(body);
        var result = Words.Parse(body);
        return result.Success ? result.Value : [body];
    }

    internal static List<string> SplitOnWhitespace(string body)
    {
        var words = new List<string>();
        var i = 0;
        while (i < body.Length)
        {
            while (i < body.Length && char.IsWhiteSpace(body[i]))
                i++;
            var start = i;
            while (i < body.Length && !char.IsWhiteSpace(body[i]))
                i++;
            if (i > start)
                words.Add(body[start..i]);
        }
        return words;
    }

    /// <summary>Decodes a JSON array prefix like Go's json.Decoder (trailing text is ignored); null when it is not JSON.</summary>
    public static List<string?>? TryParseJsonArray(string text)
    {
        var result = JsonArray.Parse(text);
        return result.Success ? result.Value : null;
    }
}
