using System.Globalization;
using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>A command run on <see cref="Root"/>: RUN.</summary>
internal sealed record ExecOp(
    Op Root,
    IReadOnlyList<string> Args,
    IReadOnlyList<string> Env,
    string WorkingDirectory,
    string User,
    string Network,
    IReadOnlyList<ExecMount> Mounts) : Op
{
    public override string Kind => "exec";
    public override IEnumerable<Op> Inputs => Mounts.Where(m => m.Source is not null).Select(m => m.Source!).Prepend(Root);

    protected override void WriteDefinition(Utf8JsonWriter writer)
    {
        WriteStrings(writer, "args", Args);
        WriteStrings(writer, "env", Env);
        writer.WriteString("cwd", WorkingDirectory);
        writer.WriteString("user", User);
        writer.WriteString("network", Network);
        writer.WriteStartArray("mounts");
        foreach (var mount in Mounts)
        {
            writer.WriteStartObject();
            writer.WriteString("type", mount.Type.ToString().ToLowerInvariant());
            writer.WriteString("target", mount.Target);
            if (mount.Source is not null) WriteInput(writer, "input", mount.Source);
            if (mount.SourcePath is not null) writer.WriteString("source", mount.SourcePath);
            writer.WriteBoolean("readonly", mount.ReadOnly);
            if (mount.Id is not null) writer.WriteString("id", mount.Id);
            if (mount.Type == Parser.Instructions.MountType.Cache) writer.WriteString("sharing", mount.Sharing.ToString().ToLowerInvariant());
            if (mount.Mode is { } mode) writer.WriteString("mode", Convert.ToString(mode, 8));
            if (mount.Uid is { } uid) writer.WriteString("uid", uid.ToString(CultureInfo.InvariantCulture));
            if (mount.Gid is { } gid) writer.WriteString("gid", gid.ToString(CultureInfo.InvariantCulture));
            if (mount.SizeLimit is { } size) writer.WriteNumber("size", size);
            if (mount.Env is not null) writer.WriteString("env", mount.Env);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }
}
