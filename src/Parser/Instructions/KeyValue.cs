namespace Ashlar.Parser.Instructions;

/// <summary>An ENV or LABEL pair. <paramref name="Value"/> is raw (quotes kept): expand it with <c>ShellLexer.ProcessWord</c>.</summary>
/// <param name="Key">The name (raw; may also contain quotes and variables).</param>
/// <param name="Value">The value as written.</param>
/// <param name="NoDelimiter">True for the legacy <c>ENV key value</c> form.</param>
public sealed record KeyValue(string Key, string Value, bool NoDelimiter);
