using System.Text;

namespace Ashlar.Parser.Syntax;

/// <summary>
/// One instruction of the raw syntax tree, the layer BuildKit's <c>parser.Node</c> describes: the keyword, the leading
/// <c>--flags</c> as written, the arguments as the keyword's line parser splits them, heredoc bodies, and where it sits.
/// Nothing is validated here beyond what BuildKit's line parser rejects; the typed layer does the rest.
/// </summary>
public sealed record Node
{
    /// <summary>The instruction keyword, lower-cased (<c>run</c>, <c>copy</c>; an unknown keyword is kept as written, lower-cased).</summary>
    public required string Value { get; init; }

    /// <summary>Leading <c>--flag[=value]</c> words, quotes removed and escapes processed, not validated.</summary>
    public IReadOnlyList<string> Flags { get; init; } = [];

    /// <summary>The arguments as the keyword's line parser splits them (see BuildKit's dispatch table).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>For ONBUILD: the nested trigger instruction.</summary>
    public Node? Trigger { get; init; }

    /// <summary>True when the arguments came from a JSON array (exec form).</summary>
    public bool IsJson { get; init; }

    /// <summary>The logical line after continuations were joined, as the line parser saw it.</summary>
    public string Original { get; init; } = "";

    /// <summary>Heredoc bodies that follow the instruction, in the order their markers appear.</summary>
    public IReadOnlyList<Heredoc> Heredocs { get; init; } = [];

    /// <summary>Comment lines directly above the instruction, without the leading <c>#</c>.</summary>
    public IReadOnlyList<string> Comments { get; init; } = [];

    /// <summary>From the first character of the keyword to the end of the last line it uses (heredoc terminators included).</summary>
    public SourceRange Range { get; init; }

    /// <summary>How much of <see cref="Original"/> came from the first physical line (to place errors in columns).</summary>
    internal int FirstLineLength { get; init; }

    /// <summary>1-based first line.</summary>
    public int StartLine => Range.Start.Line;

    /// <summary>1-based last line, continuation and heredoc lines included.</summary>
    public int EndLine => Range.End.Line;

    /// <summary>The S-expression BuildKit's <c>Node.Dump()</c> prints, e.g. <c>copy ["--from=a"] "x" "/y"</c> (without the outer parentheses).</summary>
    public string Dump()
    {
        var text = new StringBuilder(Value.ToLowerInvariant());
        if (Flags.Count > 0)
        {
            text.Append(" [");
            for (var i = 0; i < Flags.Count; i++)
            {
                if (i > 0)
                    text.Append(' ');
                GoQuote.Append(text, Flags[i]);
            }
            text.Append(']');
        }
        foreach (var argument in Arguments)
        {
            text.Append(' ');
            GoQuote.Append(text, argument);
        }
        if (Trigger is not null)
            text.Append(" (").Append(Trigger.Dump()).Append(')');
        return GoQuote.TrimSpace(text.ToString());
    }
}
