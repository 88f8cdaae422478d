using System.Globalization;
using System.Text;

namespace Ashlar.Parser.Syntax;

/// <summary>
/// Go's <c>strconv.Quote</c> and <c>strings.TrimSpace</c>, which BuildKit's dump format is written in.
/// See https://pkg.go.dev/strconv#Quote: printable runes stay as they are, everything else is escaped.
/// </summary>
internal static class GoQuote
{
    private const string HexDigits = "0123456789abcdef";

    public static void Append(StringBuilder text, string value)
    {
        text.Append('"');
        for (var i = 0; i < value.Length;)
        {
            Rune rune;
            if (Rune.DecodeFromUtf16(value.AsSpan(i), out rune, out var used) != System.Buffers.OperationStatus.Done)
            {
                rune = Rune.ReplacementChar;
                used = 1;
            }
            i += used;
            AppendRune(text, rune);
        }
        text.Append('"');
    }

    private static void AppendRune(StringBuilder text, Rune rune)
    {
        var value = rune.Value;
        if (value is '"' or '\\')
        {
            text.Append('\\').Append((char)value);
            return;
        }
        if (IsPrint(rune))
        {
            text.Append(rune.ToString());
            return;
        }
        switch (value)
        {
            case '\a': text.Append("\\a"); return;
            case '\b': text.Append("\\b"); return;
            case '\f': text.Append("\\f"); return;
            case '\n': text.Append("\\n"); return;
            case '\r': text.Append("\\r"); return;
            case '\t': text.Append("\\t"); return;
            case '\v': text.Append("\\v"); return;
        }
        if (value < ' ' || value == 0x7f)
            text.Append("\\x").Append(HexDigits[value >> 4]).Append(HexDigits[value & 0xf]);
        else if (value < 0x10000)
            AppendHex(text.Append("\\u"), value, 4);
        else
            AppendHex(text.Append("\\U"), value, 8);
    }

    private static void AppendHex(StringBuilder text, int value, int digits)
    {
        for (var shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            text.Append(HexDigits[(value >> shift) & 0xf]);
    }

    // Go's strconv.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrint(Rune rune)
    {
        if (rune.Value == ' ')
            return true;
        if (rune.Value < 0x20 || rune.Value == 0x7f)
            return false;
        return Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
                or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                or UnicodeCategory.OtherPunctuation
                or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => true,
            _ => false,
        };
    }

    /// <summary>Go's <c>strings.TrimSpace</c>: Unicode white space at both ends (the same set as <see cref="char.IsWhiteSpace(char)"/>).</summary>
    public static string TrimSpace(string value) => value.Trim();
}
