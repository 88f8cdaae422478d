using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>USER user[:group]</c>.</summary>
public sealed record UserInstruction(string User) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "USER";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
