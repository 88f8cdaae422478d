using System.Diagnostics;

namespace Ashlar.Cli.Progress;

/// <summary>One numbered step as a renderer has seen it: its name, where it is, its timer and its last output lines.</summary>
internal sealed class TimelineStep(int number, string name, long startedAt)
{
    /// <summary>How many output lines a step keeps: enough for a failing RUN's error block.</summary>
    public const int TailLength = 10;

    private readonly Queue<TimelineLine> _tail = new();
    private TimeSpan? _final;

    public int Number { get; } = number;
    public string Name { get; } = name;
    public StepState State { get; private set; } = StepState.Running;
    public string? Error { get; private set; }

    /// <summary>Why the step ran instead of coming from the cache, when the cache says.</summary>
    public string? MissReason { get; set; }

    /// <summary>What the step waits for (e.g. a locked cache mount), until it prints or ends.</summary>
    public string? Waiting { get; set; }

    /// <summary>The last output lines, oldest first.</summary>
    public IReadOnlyList<TimelineLine> Tail => [.. _tail];

    /// <summary>The step's time: final once it ended, running otherwise.</summary>
    public TimeSpan Elapsed => _final ?? Stopwatch.GetElapsedTime(startedAt);

    public void Output(TimeSpan at, string text)
    {
        Waiting = null;
        _tail.Enqueue(new TimelineLine(at, text));
        if (_tail.Count > TailLength) _tail.Dequeue();
    }

    public void End(StepState state, TimeSpan elapsed, string? error = null)
    {
        State = state;
        Waiting = null;
        _final = elapsed;
        Error = error;
    }
}
