using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>A metadata-only step (ENV, LABEL, CMD, ...): no file changes, only the image config. <see cref="Change"/> is the instruction after expansion.</summary>
internal sealed record ConfigOp(Op Root, string Change) : Op
{
    public override string Kind => "config";
    public override IEnumerable<Op> Inputs => [Root];

    protected override void WriteDefinition(Utf8JsonWriter writer) => writer.WriteString("change", Change);
}
