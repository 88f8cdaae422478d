using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>RUN [--mount=...] [--network=...] [--security=...] command</c>.</summary>
/// <param name="Command">The command, exec or shell form.</param>
/// <param name="Mounts">Every <c>--mount</c>, in order.</param>
/// <param name="Network">The <c>--network</c> mode (default <see cref="NetworkMode.Default"/>).</param>
/// <param name="Security">The <c>--security</c> mode (default <see cref="SecurityMode.Sandbox"/>).</param>
/// <param name="Heredocs">Heredoc bodies following the instruction.</param>
public sealed record RunInstruction(
    CommandLine Command,
    IReadOnlyList<RunMount> Mounts,
    NetworkMode Network,
    SecurityMode Security,
    IReadOnlyList<InlineFile> Heredocs) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "RUN";
}
