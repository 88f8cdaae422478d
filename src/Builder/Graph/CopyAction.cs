using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>
/// COPY/ADD after expansion: paths of <see cref="Source"/> (context, stage or image) copied to an absolute destination;
/// <see cref="Inline"/> holds heredoc sources (path → content).
/// </summary>
internal sealed record CopyAction(
    Op? From,
    IReadOnlyList<string> Sources,
    IReadOnlyList<KeyValuePair<string, string>> Inline,
    string Destination,
    bool DestinationIsDirectory,
    string? Chown,
    string? Chmod,
    bool Link,
    bool Parents,
    IReadOnlyList<string> Excludes,
    bool IsAdd) : FileAction
{
    public override Op? Source => From;

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("action", IsAdd ? "add" : "copy");
        if (From is not null) Op.WriteInput(writer, "from", From);
        writer.WriteStartArray("sources");
        foreach (var source in Sources) writer.WriteStringValue(source);
        writer.WriteEndArray();
        writer.WriteStartArray("inline");
        foreach (var (path, content) in Inline)
        {
            writer.WriteStartObject();
            writer.WriteString("path", path);
            writer.WriteString("content", content);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteString("dest", Destination);
        writer.WriteBoolean("destDir", DestinationIsDirectory);
        if (Chown is not null) writer.WriteString("chown", Chown);
        if (Chmod is not null) writer.WriteString("chmod", Chmod);
        writer.WriteBoolean("link", Link);
        writer.WriteBoolean("parents", Parents);
        writer.WriteStartArray("excludes");
        foreach (var exclude in Excludes) writer.WriteStringValue(exclude);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
