using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>EXPOSE port[/protocol] ...</c>; ports as written.</summary>
public sealed record ExposeInstruction(IReadOnlyList<string> Ports) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "EXPOSE";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
