namespace Ashlar.Parser.Instructions;

/// <summary><c>STOPSIGNAL signal</c>.</summary>
public sealed record StopSignalInstruction(string Signal) : Instruction
{
    public override string Keyword => "STOPSIGNAL";
    public override bool ExpandsVariables => true;
}
