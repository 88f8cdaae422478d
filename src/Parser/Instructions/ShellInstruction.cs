using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>SHELL ["executable", "parameters"]</c>: the shell for later shell-form commands (JSON form only).</summary>
public sealed record ShellInstruction(IReadOnlyList<string> Shell) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "SHELL";
}
