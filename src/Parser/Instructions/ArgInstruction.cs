using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>ARG name[=default] ...</c>; <paramref name="Required"/> with <c>--required</c>.</summary>
public sealed record ArgInstruction(IReadOnlyList<ArgDefinition> Args, bool Required) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "ARG";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
