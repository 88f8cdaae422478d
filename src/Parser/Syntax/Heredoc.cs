namespace Ashlar.Parser.Syntax;

/// <summary>
/// A heredoc body attached to RUN, COPY or ADD (<c>&lt;&lt;EOF</c>, <c>&lt;&lt;-EOF</c>, <c>3&lt;&lt;"EOF"</c>).
/// </summary>
/// <param name="Name">The delimiter word with quotes removed.</param>
/// <param name="FileDescriptor">The number before <c>&lt;&lt;</c>, 0 when absent.</param>
/// <param name="Expand">False when any part of the delimiter was quoted: the body is then taken literally.</param>
/// <param name="Chomp">True for <c>&lt;&lt;-</c>: leading tabs are stripped from the body and the terminator.</param>
/// <param name="Content">The raw body, every line with its newline; leading tabs are still there (see <see cref="ChompedContent"/>).</param>
public sealed record Heredoc(string Name, int FileDescriptor, bool Expand, bool Chomp, string Content)
{
    /// <summary>The body as the instruction uses it: with <see cref="Chomp"/>, leading tabs removed from every line.</summary>
    public string ChompedContent => Chomp ? StripLeadingTabs(Content) : Content;

    private static string StripLeadingTabs(string content)
    {
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
            lines[i] = lines[i].TrimStart('\t');
        return string.Join('\n', lines);
    }
}
