using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>MAINTAINER name</c> (deprecated; a label <c>maintainer</c>).</summary>
public sealed record MaintainerInstruction(string Maintainer) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "MAINTAINER";
}
