using System.Text.Json;

namespace Ashlar.Builder.Graph;

/// <summary>Creates a directory and its parents (WORKDIR), owned by the step's user.</summary>
internal sealed record MkdirAction(string Path, int Mode, string User) : FileAction
{
    public override Op? Source => null;

    public override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("action", "mkdir");
        writer.WriteString("path", Path);
        writer.WriteString("mode", Convert.ToString(Mode, 8));
        writer.WriteString("user", User);
        writer.WriteEndObject();
    }
}
