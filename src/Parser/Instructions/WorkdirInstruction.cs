using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>WORKDIR path</c>.</summary>
public sealed record WorkdirInstruction(string Path) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "WORKDIR";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
