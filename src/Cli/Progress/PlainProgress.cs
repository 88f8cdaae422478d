using Ashlar.Builder;

namespace Ashlar.Cli.Progress;

/// <summary>
/// BuildKit's plain log (<c>--progress plain</c>), line for line: a step's header <c>#N [stage i/n] INSTRUCTION</c>
/// (printed again, after a blank line, whenever another step printed in between, so parallel stages stay readable),
/// its output as <c>#N 0.123 line</c>, and its end as <c>#N DONE 0.3s</c>, <c>#N CACHED</c> or <c>#N ERROR: ...</c>.
/// </summary>
internal sealed class PlainProgress(TextWriter output) : BuildProgress
{
    private readonly BuildTimeline _timeline = new();
    private int _current;

    public override void Report(BuildEvent value)
    {
        lock (_timeline.Lock)
        {
            if (_timeline.Apply(value) is not { } step) return; // warnings are part of the summary, as in buildx
            if (_current != step.Number)
            {
                if (_current != 0) output.WriteLine();
                output.WriteLine($"#{step.Number} {step.Name}");
                _current = step.Number;
            }
            switch (value.Kind)
            {
                case BuildEventKind.StepOutput:
                    output.WriteLine($"#{step.Number} {BuildSummary.Seconds(value.Elapsed, 3)} {value.Text}");
                    break;
                case BuildEventKind.StepCacheMiss or BuildEventKind.StepWaiting:
                    // The cache's reason reads "COPY src/ . missed: input ... changed"; a wait says what it waits for.
                    output.WriteLine($"#{step.Number} {(value.Kind == BuildEventKind.StepCacheMiss ? step.MissReason : value.Text)}");
                    break;
                case BuildEventKind.StepDone when value.Cached:
                    output.WriteLine($"#{step.Number} CACHED");
                    break;
                case BuildEventKind.StepDone:
                    output.WriteLine($"#{step.Number} DONE {BuildSummary.Seconds(value.Elapsed, 1)}s");
                    break;
                case BuildEventKind.StepCached:
                    output.WriteLine($"#{step.Number} CACHED");
                    break;
                case BuildEventKind.StepFailed:
                    output.WriteLine($"#{step.Number} ERROR: {FirstLine(value.Text)}");
                    break;
            }
            output.Flush();
        }
    }

    public override Task SucceededAsync(BuildResult result)
    {
        lock (_timeline.Lock)
        {
            EndLog();
            BuildSummary.WriteSucceeded(output, result, _timeline.Warnings);
        }
        return Task.CompletedTask;
    }

    public override Task FailedAsync(BuildException error)
    {
        lock (_timeline.Lock)
        {
            EndLog();
            BuildSummary.WriteFailed(output, error, _timeline.FirstFailed, _timeline.Warnings);
        }
        return Task.CompletedTask;
    }

    public override Task CanceledAsync()
    {
        lock (_timeline.Lock)
        {
            EndLog();
            BuildSummary.WriteCanceled(output);
        }
        return Task.CompletedTask;
    }

    // The blank line that separates the last step from what follows.
    private void EndLog()
    {
        if (_current != 0) output.WriteLine();
        _current = 0;
    }

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n')[0];
}
