namespace Ashlar.Cli.Progress;

/// <summary>Reads <c>--progress</c> and makes the view for it, as docker buildx chooses.</summary>
internal static class ProgressChooser
{
    public static bool TryParse(string? text, out ProgressMode mode)
    {
        (var known, mode) = text?.ToLowerInvariant() switch
        {
            null or "" or "auto" => (true, ProgressMode.Auto),
            "plain" => (true, ProgressMode.Plain),
            "tty" => (true, ProgressMode.Tty),
            "rawjson" => (true, ProgressMode.RawJson),
            "quiet" => (true, ProgressMode.Quiet),
            _ => (false, ProgressMode.Auto),
        };
        return known;
    }

    /// <summary>
    /// The view for <paramref name="mode"/>; <c>auto</c> is the live view when standard error (where progress goes) is a
    /// terminal that can redraw, the plain log otherwise (a pipe, a CI log, <c>TERM=dumb</c>).
    /// </summary>
    public static BuildProgress Create(ProgressMode mode)
    {
        if (mode == ProgressMode.Auto)
            mode = Console.IsErrorRedirected || Environment.GetEnvironmentVariable("TERM") is "dumb" ? ProgressMode.Plain : ProgressMode.Tty;
        return mode switch
        {
            ProgressMode.Tty => TtyProgress.ForStandardError(),
            ProgressMode.RawJson => new RawJsonProgress(Console.Error),
            ProgressMode.Quiet => new QuietProgress(Console.Out, Console.Error),
            _ => new PlainProgress(Console.Error),
        };
    }
}
