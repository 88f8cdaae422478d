namespace Ashlar.Parser.Instructions;

/// <summary>A COPY/ADD source given as a heredoc: a file named <paramref name="Path"/> with <paramref name="Data"/> as content.</summary>
/// <param name="Path">The file name (the heredoc delimiter).</param>
/// <param name="Data">The content; leading tabs are already removed for <c>&lt;&lt;-</c>.</param>
/// <param name="Expand">True when variables in the content are to be expanded (unquoted delimiter).</param>
public sealed record InlineSource(string Path, string Data, bool Expand);
