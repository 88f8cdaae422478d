using System.Text.Json;
using Ashlar.Builder;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar build --explain-cache</c>: every layer step, cached or why it ran; the same list in <c>--metadata-file</c>.</summary>
internal static class BuildCacheReport
{
    public static void Write(TextWriter output, BuildResult result)
    {
        var cached = result.CacheSteps.Count(s => s.Cached);
        output.WriteLine($"cache: {cached} of {result.CacheSteps.Count} steps cached"
            + (result.Metadata.TryGetValue("ashlar.cache.lookup.average", out var lookup) ? $", {lookup} per lookup" : ""));
        foreach (var step in result.CacheSteps)
        {
            var line = step.Cached ? "CACHED  " : "RAN     ";
            output.WriteLine($"  {line}[{step.Stage}] {step.Instruction}");
            if (!step.Cached && step.MissReason is { } reason)
                output.WriteLine($"          {ReasonOnly(step.Instruction, reason)}");
        }
    }

    public static void WriteJson(Utf8JsonWriter writer, BuildResult result)
    {
        writer.WriteStartArray("ashlar.cache.steps");
        foreach (var step in result.CacheSteps)
        {
            writer.WriteStartObject();
            writer.WriteString("stage", step.Stage);
            writer.WriteString("instruction", step.Instruction);
            writer.WriteBoolean("cached", step.Cached);
            if (step.MissReason is not null) writer.WriteString("reason", step.MissReason);
            writer.WriteString("key", step.Key.ToString());
            writer.WriteString("parent", step.Parent.ToString());
            if (step.Record.LayerDigest is { } layer) writer.WriteString("layer", layer.ToString());
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
    }

    // "COPY src/ . missed: x changed" -> "missed: x changed" under a line that already names the step.
    private static string ReasonOnly(string instruction, string reason) =>
        reason.StartsWith(instruction + " ", StringComparison.Ordinal) ? reason[(instruction.Length + 1)..] : reason;
}
