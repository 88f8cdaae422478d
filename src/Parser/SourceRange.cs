namespace Ashlar.Parser;

/// <summary>A point in a Dockerfile: 1-based line and 1-based column.</summary>
public readonly record struct SourcePosition(int Line, int Column);

/// <summary>
/// Where an instruction sits in its file: from its first character to just past its last one
/// (the end column is exclusive). Continuation lines and heredoc bodies are inside the range.
/// </summary>
public readonly record struct SourceRange(SourcePosition Start, SourcePosition End);
