using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>VOLUME path ...</c> or <c>VOLUME ["path", ...]</c>.</summary>
public sealed record VolumeInstruction(IReadOnlyList<string> Volumes) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "VOLUME";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
