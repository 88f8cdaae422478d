namespace Ashlar.Parser;

/// <summary>
/// The one exception the parser throws: what is wrong, where (file, 1-based line and column), the offending text,
/// and a hint when one helps ("did you mean COPY?"). No other exception type leaves the parser for any input.
/// </summary>
public sealed class ParseError : Exception
{
    public ParseError(string reason, string? file = null, int line = 0, int column = 0, string? text = null, string? hint = null)
        : base(Format(reason, file, line, column, text, hint))
    {
        Reason = reason;
        File = file;
        Line = line;
        Column = column;
        Text = text;
        Hint = hint;
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>The file name given to the parser, or null when the input was not a file (a single shell word).</summary>
    public string? File { get; }

    /// <summary>1-based line, or 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>1-based column, or 0 when unknown.</summary>
    public int Column { get; }

    /// <summary>The offending text (usually the instruction as written), or null.</summary>
    public string? Text { get; }

    /// <summary>A suggestion for the fix, or null.</summary>
    public string? Hint { get; }

    internal ParseError WithLocation(string file, int line, int column, string? text) =>
        new(Reason, file, line, column, Text ?? text, Hint);

    private static string Format(string reason, string? file, int line, int column, string? text, string? hint)
    {
        var where = file is null ? "" : line > 0 ? $"{file}:{line}:{Math.Max(column, 1)}: " : $"{file}: ";
        var message = where + reason;
        if (hint is not null)
            message += "; " + hint;
        if (!string.IsNullOrEmpty(text))
            message += $" (in \"{Truncate(text)}\")";
        return message;
    }

    private static string Truncate(string text)
    {
        var firstLine = text.Split('\n')[0];
        return firstLine.Length > 120 ? firstLine[..117] + "..." : firstLine;
    }
}
