namespace Ashlar.Parser.Instructions;

/// <summary>A heredoc attached to RUN, CMD or ENTRYPOINT (BuildKit's <c>ShellInlineFile</c>).</summary>
/// <param name="Name">The delimiter word (<c>EOF</c>).</param>
/// <param name="Data">The body as written, leading tabs still there when <paramref name="Chomp"/> is set.</param>
/// <param name="Chomp">True for <c>&lt;&lt;-</c>: strip leading tabs from each line.</param>
/// <param name="Expand">False when the delimiter was quoted: variables in the body are not expanded.</param>
public sealed record InlineFile(string Name, string Data, bool Chomp, bool Expand);
