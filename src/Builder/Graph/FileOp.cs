using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>File changes on <see cref="Root"/>: COPY, ADD, WORKDIR's mkdir.</summary>
internal sealed record FileOp(Op Root, IReadOnlyList<FileAction> Actions) : Op
{
    public override string Kind => "file";
    public override IEnumerable<Op> Inputs => Actions.Where(a => a.Source is not null).Select(a => a.Source!).Prepend(Root);

    protected override void WriteDefinition(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("actions");
        foreach (var action in Actions) action.Write(writer);
        writer.WriteEndArray();
    }
}
