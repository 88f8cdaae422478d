using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>FROM [--platform=p] image [AS name]</c>.</summary>
/// <param name="Image">The base image reference or stage name as written (expand with the global ARGs).</param>
/// <param name="StageName">The stage name, lower-cased; null when there is no <c>AS</c>.</param>
/// <param name="Platform">The <c>--platform</c> value as written, or null.</param>
public sealed record FromInstruction(string Image, string? StageName, string? Platform) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "FROM";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
