using System.Diagnostics;
using Ashlar.Builder;

namespace Ashlar.Cli.Progress;

/// <summary>
/// The steps of a build in the order they started, fed by <see cref="BuildEvent"/>s from any thread. Renderers read
/// it under <see cref="Lock"/>: the plain view for a failing step's last lines, the live view for every frame.
/// </summary>
internal sealed class BuildTimeline
{
    private readonly Dictionary<int, TimelineStep> _byNumber = [];
    private readonly List<TimelineStep> _steps = [];
    private readonly List<string> _warnings = [];
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public Lock Lock { get; } = new();

    /// <summary>Since the renderer was made: the live view's header.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_startedAt);

    public IReadOnlyList<TimelineStep> Steps => _steps;
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The first step that failed: the one the error block shows.</summary>
    public TimelineStep? FirstFailed => _steps.FirstOrDefault(s => s.State == StepState.Failed);

    /// <summary>Records <paramref name="value"/>; returns its step (null for build-wide events). Call under <see cref="Lock"/>.</summary>
    public TimelineStep? Apply(BuildEvent value)
    {
        if (value.Kind == BuildEventKind.Warning)
        {
            _warnings.Add(value.Text ?? "");
            return null;
        }
        if (!_byNumber.TryGetValue(value.Step, out var step))
        {
            step = new TimelineStep(value.Step, value.Name, Stopwatch.GetTimestamp() - (long)(value.Elapsed.TotalSeconds * Stopwatch.Frequency));
            _byNumber.Add(value.Step, step);
            _steps.Add(step);
        }
        switch (value.Kind)
        {
            case BuildEventKind.StepOutput:
                step.Output(value.Elapsed, value.Text ?? "");
                break;
            case BuildEventKind.StepCacheMiss:
                step.MissReason = value.Reason ?? value.Text;
                break;
            case BuildEventKind.StepWaiting:
                step.Waiting = value.Text;
                break;
            case BuildEventKind.StepDone:
                step.End(value.Cached ? StepState.Cached : StepState.Done, value.Elapsed);
                break;
            case BuildEventKind.StepCached:
                step.End(StepState.Cached, value.Elapsed);
                break;
            case BuildEventKind.StepFailed:
                step.End(StepState.Failed, value.Elapsed, value.Text);
                break;
        }
        return step;
    }
}
