using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>ENV key=value ...</c> (or the legacy <c>ENV key value</c>).</summary>
public sealed record EnvInstruction(IReadOnlyList<KeyValue> Variables) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "ENV";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
