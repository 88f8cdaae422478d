using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>LABEL key=value ...</c> (or the legacy <c>LABEL key value</c>).</summary>
public sealed record LabelInstruction(IReadOnlyList<KeyValue> Labels) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "LABEL";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
