namespace Ashlar.Parser.Instructions;

/// <summary><c>LABEL key=value ...</c> (or the legacy <c>LABEL key value</c>).</summary>
public sealed record LabelInstruction(IReadOnlyList<KeyValue> Labels) : Instruction
{
    public override string Keyword => "LABEL";
    public override bool ExpandsVariables => true;
}
