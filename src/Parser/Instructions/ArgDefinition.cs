namespace Ashlar.Parser.Instructions;

/// <summary>One name of an ARG instruction, with its default value as written (null when there is none).</summary>
public sealed record ArgDefinition(string Name, string? Default);
