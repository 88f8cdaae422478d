using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>The build context as a source of files. Content digests of the selected files are folded in by the cache.</summary>
/// <param name="Name">"context" (named contexts would add more).</param>
internal sealed record LocalContextOp(string Name) : Op
{
    public override string Kind => "local";
    public override IEnumerable<Op> Inputs => [];

    protected override void WriteDefinition(Utf8JsonWriter writer) => writer.WriteString("name", Name);
}
