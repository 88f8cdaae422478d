namespace Ashlar.Parser.Instructions;

/// <summary><c>VOLUME path ...</c> or <c>VOLUME ["path", ...]</c>.</summary>
public sealed record VolumeInstruction(IReadOnlyList<string> Volumes) : Instruction
{
    public override string Keyword => "VOLUME";
    public override bool ExpandsVariables => true;
}
