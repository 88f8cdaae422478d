using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>STOPSIGNAL signal</c>.</summary>
public sealed record StopSignalInstruction(string Signal) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "STOPSIGNAL";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
