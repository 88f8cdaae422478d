using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>ONBUILD instruction</c>: a trigger stored in the image and run by builds that use it as a base.</summary>
/// <param name="Expression">The trigger's text as written (heredoc bodies appended), as stored in the image config.</param>
/// <param name="Trigger">The trigger, parsed.</param>
public sealed record OnbuildInstruction(string Expression, Instruction Trigger) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "ONBUILD";
}
