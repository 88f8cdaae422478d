namespace Ashlar.Parser.Syntax;

/// <summary>A parser directive from the top of the file (<c># syntax=...</c>, <c># escape=`</c>, <c># check=...</c>).</summary>
/// <param name="Name">The directive key, lower-cased.</param>
/// <param name="Value">The value with surrounding whitespace removed.</param>
/// <param name="Line">1-based line.</param>
public sealed record Directive(string Name, string Value, int Line);
