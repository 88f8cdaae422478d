using System.Diagnostics;

namespace Ashlar.Builder.Solving;

/// <summary>Numbers steps as they start (BuildKit's <c>#N</c>) and reports their events.</summary>
internal sealed class StepReporter(IProgress<BuildEvent>? sink)
{
    private int _next;
    private readonly Stopwatch _build = Stopwatch.StartNew();

    public Step Start(string name)
    {
        var step = new Step(this, Interlocked.Increment(ref _next), name);
        Report(new BuildEvent(BuildEventKind.StepStarted, step.Number, name, null, TimeSpan.Zero));
        return step;
    }

    public void Warn(string text) => Report(new BuildEvent(BuildEventKind.Warning, 0, "", text, _build.Elapsed));

    private void Report(BuildEvent value) => sink?.Report(value);

    internal sealed class Step(StepReporter reporter, int number, string name)
    {
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private readonly Queue<string> _tail = new();

        public int Number { get; } = number;
        public string Name { get; } = name;

        /// <summary>The last lines of output, for the error of a failing RUN.</summary>
        public IReadOnlyList<string> Tail { get { lock (_tail) return [.. _tail]; } }

        public void Output(string line)
        {
            lock (_tail)
            {
                _tail.Enqueue(line);
                if (_tail.Count > 10) _tail.Dequeue();
            }
            reporter.Report(new BuildEvent(BuildEventKind.StepOutput, Number, Name, line, _watch.Elapsed));
        }

        private string? _missReason;

        public void Done() => reporter.Report(new BuildEvent(BuildEventKind.StepDone, Number, Name, null, _watch.Elapsed, Cached: false, Reason: _missReason));
        public void Cached() => reporter.Report(new BuildEvent(BuildEventKind.StepCached, Number, Name, null, _watch.Elapsed, Cached: true));

        /// <summary>The step will run although the cache was asked: says why (shown before the step's output).</summary>
        public void Missed(string reason)
        {
            _missReason = reason;
            reporter.Report(new BuildEvent(BuildEventKind.StepCacheMiss, Number, Name, reason, _watch.Elapsed, Cached: false, Reason: reason));
        }

        /// <summary>The step waits for something another step or build holds (a locked cache mount).</summary>
        public void Waiting(string what) => reporter.Report(new BuildEvent(BuildEventKind.StepWaiting, Number, Name, what, _watch.Elapsed));
        public void Failed(string error) => reporter.Report(new BuildEvent(BuildEventKind.StepFailed, Number, Name, error, _watch.Elapsed));
    }
}
