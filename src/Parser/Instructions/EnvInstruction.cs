namespace Ashlar.Parser.Instructions;

/// <summary><c>ENV key=value ...</c> (or the legacy <c>ENV key value</c>).</summary>
public sealed record EnvInstruction(IReadOnlyList<KeyValue> Variables) : Instruction
{
    public override string Keyword => "ENV";
    public override bool ExpandsVariables => true;
}
