using System.Text;

namespace Ashlar.Parser.Syntax;

/// <summary>The raw syntax tree of a Dockerfile: its instructions in order, its directives, and the escape character.</summary>
public sealed record SyntaxTree
{
    /// <summary>The name the file was parsed under (used in error messages).</summary>
    public required string FileName { get; init; }

    /// <summary>Top-level instructions in source order.</summary>
    public required IReadOnlyList<Node> Nodes { get; init; }

    /// <summary>Parser directives, in the order they appear.</summary>
    public required IReadOnlyList<Directive> Directives { get; init; }

    /// <summary>The escape and line-continuation character: <c>\</c> unless <c># escape=`</c> changed it.</summary>
    public char EscapeToken { get; init; } = '\\';

    /// <summary>Non-fatal findings (empty continuation lines), as BuildKit reports them.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>The dump BuildKit's parser tests compare with their <c>result</c> files: one <c>(node)</c> per line, each ending in a newline.</summary>
    public string Dump()
    {
        var text = new StringBuilder();
        foreach (var node in Nodes)
            text.Append('(').Append(node.Dump()).Append(")\n");
        return text.ToString();
    }
}
