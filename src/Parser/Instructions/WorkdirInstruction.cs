namespace Ashlar.Parser.Instructions;

/// <summary><c>WORKDIR path</c>.</summary>
public sealed record WorkdirInstruction(string Path) : Instruction
{
    public override string Keyword => "WORKDIR";
    public override bool ExpandsVariables => true;
}
