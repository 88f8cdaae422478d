using System.Globalization;
using System.Text;

namespace Ashlar.Builder.Solving;

/// <summary>
/// Go's fmt verbs as BuildKit's Dockerfile frontend uses them in history text (<c>%q</c> of a string slice, of a
/// rune, a <c>time.Duration</c>'s String), so an image's history reads exactly as BuildKit writes it.
/// </summary>
internal static class GoFormat
{
    /// <summary>%q of a []string: <c>["a" "b"]</c>.</summary>
    public static string QuoteSlice(IEnumerable<string>? values) => "[" + string.Join(' ', (values ?? []).Select(Quote)) + "]";

    /// <summary>strconv.Quote: double quotes, Go escapes for quotes, backslashes and what is not printable.</summary>
    public static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (var rune in value.EnumerateRunes()) AppendEscaped(text, rune, '"');
        return text.Append('"').ToString();
    }

    /// <summary>%q of an integer: strconv.QuoteRune, e.g. <c>'\x04'</c> for 4.</summary>
    public static string QuoteRune(int value)
    {
        var text = new StringBuilder("'");
        AppendEscaped(text, Rune.IsValid(value) ? new Rune(value) : Rune.ReplacementChar, '\'');
        return text.Append('\'').ToString();
    }

    /// <summary>time.Duration's String: <c>0s</c>, <c>1.5s</c>, <c>1m30s</c>, <c>100ms</c>, <c>2h0m0s</c>.</summary>
    public static string Duration(long nanoseconds)
    {
        if (nanoseconds == 0) return "0s";
        var negative = nanoseconds < 0;
        var u = negative ? (ulong)(-nanoseconds) : (ulong)nanoseconds;
        string text;
        if (u < 1_000_000_000)
        {
            text = u < 1_000 ? $"{u}ns" : u < 1_000_000 ? Fraction(u, 3) + "µs" : Fraction(u, 6) + "ms";
        }
        else
        {
            var seconds = Fraction(u % 60_000_000_000, 9) + "s";
            var minutesTotal = u / 60_000_000_000;
            text = minutesTotal == 0 ? seconds
                : minutesTotal < 60 ? $"{minutesTotal}m{seconds}"
                : $"{minutesTotal / 60}h{minutesTotal % 60}m{seconds}";
        }
        return negative ? "-" + text : text;
    }

    // value / 10^digits with the fraction's trailing zeros (and a bare dot) left out, as Go's fmtFrac does.
    private static string Fraction(ulong value, int digits)
    {
        ulong scale = 1;
        for (var i = 0; i < digits; i++) scale *= 10;
        var whole = (value / scale).ToString(CultureInfo.InvariantCulture);
        var fraction = (value % scale).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0').TrimEnd('0');
        return fraction.Length == 0 ? whole : whole + "." + fraction;
    }

    private static void AppendEscaped(StringBuilder text, Rune rune, char quote)
    {
        var c = rune.Value;
        if (c == quote || c == '\\') { text.Append('\\').Append((char)c); return; }
        switch (c)
        {
            case '\a': text.Append(@"\a"); return;
            case '\b': text.Append(@"\b"); return;
            case '\f': text.Append(@"\f"); return;
            case '\n': text.Append(@"\n"); return;
            case '\r': text.Append(@"\r"); return;
            case '\t': text.Append(@"\t"); return;
            case '\v': text.Append(@"\v"); return;
        }
        if (c < 0x20 || c == 0x7f) { text.Append(CultureInfo.InvariantCulture, $"\\x{c:x2}"); return; }
        if (c < 0x80 || IsPrintable(rune)) { text.Append(rune.ToString()); return; }
        if (c <= 0xffff) text.Append(CultureInfo.InvariantCulture, $"\\u{c:x4}");
        else text.Append(CultureInfo.InvariantCulture, $"\\U{c:x8}");
    }

    // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
    private static bool IsPrintable(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
            or UnicodeCategory.OtherNotAssigned or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator
            or UnicodeCategory.ParagraphSeparator => false,
        _ => true,
    };
}
