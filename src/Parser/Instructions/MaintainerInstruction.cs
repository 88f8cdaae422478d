namespace Ashlar.Parser.Instructions;

/// <summary><c>MAINTAINER name</c> (deprecated; a label <c>maintainer</c>).</summary>
public sealed record MaintainerInstruction(string Maintainer) : Instruction
{
    public override string Keyword => "MAINTAINER";
}
