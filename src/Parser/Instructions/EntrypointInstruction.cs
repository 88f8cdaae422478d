using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>ENTRYPOINT command</c>: the entrypoint of the image (exec or shell form).</summary>
/// <param name="Command">The command.</param>
/// <param name="Heredocs">Heredoc bodies following the instruction.</param>
public sealed record EntrypointInstruction(CommandLine Command, IReadOnlyList<InlineFile> Heredocs) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "ENTRYPOINT";
}
