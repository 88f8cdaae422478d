using System.Globalization;

namespace Ashlar.Cli;

/// <summary>Sizes and ages the way docker prints them (github.com/docker/go-units).</summary>
internal static class HumanUnits
{
    private static readonly string[] DecimalUnits = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    /// <summary>go-units HumanSizeWithPrecision: decimal units, <paramref name="precision"/> significant digits ("4.26MB").</summary>
    public static string Size(double bytes, int precision = 3)
    {
        var unit = 0;
        while (bytes >= 1000 && unit < DecimalUnits.Length - 1)
        {
            bytes /= 1000;
            unit++;
        }
        return bytes.ToString("G" + precision, CultureInfo.InvariantCulture) + DecimalUnits[unit];
    }

    /// <summary>go-units HumanDuration ("About an hour", "2 weeks").</summary>
    public static string Duration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < 1) return "Less than a second";
        if (seconds == 1) return "1 second";
        if (seconds < 60) return $"{seconds} seconds";
        var minutes = (long)d.TotalMinutes;
        if (minutes == 1) return "About a minute";
        if (minutes < 60) return $"{minutes} minutes";
        var hours = (long)Math.Round(d.TotalHours, MidpointRounding.AwayFromZero);
        if (hours == 1) return "About an hour";
        if (hours < 48) return $"{hours} hours";
        if (hours < 24 * 7 * 2) return $"{hours / 24} days";
        if (hours < 24 * 30 * 2) return $"{hours / 24 / 7} weeks";
        if (hours < 24 * 365 * 2) return $"{hours / 24 / 30} months";
        return $"{(long)d.TotalHours / 24 / 365} years";
    }

    /// <summary>"2 weeks ago", or "N/A" when the time is unknown.</summary>
    public static string Ago(DateTime? time, DateTime now) =>
        time is { } t ? Duration(now - t.ToUniversalTime()) + " ago" : "N/A";
}
