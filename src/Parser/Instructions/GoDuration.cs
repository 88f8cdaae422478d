using System.Globalization;

namespace Ashlar.Parser.Instructions;

/// <summary>Go's <c>time.ParseDuration</c> ("300ms", "1h30m", "1.5s"), used by HEALTHCHECK's timing flags.</summary>
internal static class GoDuration
{
    public static TimeSpan? TryParse(string text)
    {
        var s = text;
        var negative = false;
        if (s.Length > 0 && s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            s = s[1..];
        }
        if (s == "0")
            return TimeSpan.Zero;
        if (s.Length == 0)
            return null;
        decimal totalNanoseconds = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
                i++;
            var number = s[start..i];
            if (number.Length == 0 || number == "." || number.Count(c => c == '.') > 1
                || !decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
                return null;
            var unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
                i++;
            decimal? nanoseconds = s[unitStart..i] switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => null,
            };
            if (nanoseconds is null)
                return null;
            totalNanoseconds += value * nanoseconds.Value;
            if (totalNanoseconds > long.MaxValue)
                return null;
        }
        var ticks = (long)(totalNanoseconds / 100m);
        return TimeSpan.FromTicks(negative ? -ticks : ticks);
    }
}
