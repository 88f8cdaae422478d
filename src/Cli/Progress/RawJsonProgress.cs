using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Ashlar.Builder;

namespace Ashlar.Cli.Progress;

/// <summary><c>--progress rawjson</c>: one <see cref="RawJsonEvent"/> per event per line, and a last result or error line.</summary>
internal sealed class RawJsonProgress(TextWriter output) : BuildProgress
{
    // Lines are read by programs and people: '&' and '<' stay themselves (still valid JSON), not \u0026.
    private static readonly RawJsonContext Json = new(new JsonSerializerOptions
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    private readonly Lock _lock = new();

    public override void Report(BuildEvent value) => Write(new RawJsonEvent
    {
        Kind = value.Kind switch
        {
            BuildEventKind.StepStarted => "started",
            BuildEventKind.StepOutput => "output",
            BuildEventKind.StepDone => "done",
            BuildEventKind.StepCached => "cached",
            BuildEventKind.StepFailed => "failed",
            BuildEventKind.StepCacheMiss => "cache-miss",
            BuildEventKind.StepWaiting => "waiting",
            _ => "warning",
        },
        Step = value.Step == 0 ? null : value.Step,
        Name = value.Name.Length == 0 ? null : value.Name,
        Text = value.Text,
        Elapsed = Math.Round(value.Elapsed.TotalSeconds, 3),
        Cached = value.Kind is BuildEventKind.StepDone or BuildEventKind.StepCached or BuildEventKind.StepCacheMiss ? value.Cached : null,
        Reason = value.Reason,
    });

    public override Task SucceededAsync(BuildResult result)
    {
        Write(new RawJsonEvent { Kind = "result", Image = result.ConfigDigest, Digest = result.ImageDigest, Tags = result.Tags });
        return Task.CompletedTask;
    }

    public override Task FailedAsync(BuildException error)
    {
        Write(new RawJsonEvent
        {
            Kind = "error",
            Text = error.Reason,
            File = error.File,
            Line = error.Line > 0 ? error.Line : null,
            ExitCode = error.ExitCode,
        });
        return Task.CompletedTask;
    }

    public override Task CanceledAsync()
    {
        Write(new RawJsonEvent { Kind = "error", Text = "build canceled" });
        return Task.CompletedTask;
    }

    private void Write(RawJsonEvent value)
    {
        var line = JsonSerializer.Serialize(value, Json.RawJsonEvent);
        lock (_lock)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }
}
