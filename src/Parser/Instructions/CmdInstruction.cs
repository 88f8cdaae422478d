using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>CMD command</c>: the default command of the image (exec or shell form).</summary>
/// <param name="Command">The command.</param>
/// <param name="Heredocs">Heredoc bodies following the instruction.</param>
public sealed record CmdInstruction(CommandLine Command, IReadOnlyList<InlineFile> Heredocs) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "CMD";
}
