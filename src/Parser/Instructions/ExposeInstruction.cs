namespace Ashlar.Parser.Instructions;

/// <summary><c>EXPOSE port[/protocol] ...</c>; ports as written.</summary>
public sealed record ExposeInstruction(IReadOnlyList<string> Ports) : Instruction
{
    public override string Keyword => "EXPOSE";
    public override bool ExpandsVariables => true;
}
