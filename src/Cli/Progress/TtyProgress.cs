using Ashlar.Builder;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ashlar.Cli.Progress;

/// <summary>
/// The live terminal view (<c>--progress tty</c>), drawn like docker buildx's: a <c>[+] Building 3.2s (5/7)</c> header,
/// one line per step with its timer (steps of parallel stages run side by side), the last output lines of running and
/// failed steps, redrawn in place with Spectre.Console's live display; once the build ended, the last frame stays and
/// the same summary as the plain view follows.
/// </summary>
internal sealed class TtyProgress : BuildProgress
{
    /// <summary>How many output lines of a running step the view shows.</summary>
    private const int RunningTail = 6;

    private readonly IAnsiConsole _console;
    private readonly BuildTimeline _timeline = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _view;
    private bool _finished;
    private int _frames;

    public TtyProgress(IAnsiConsole console, TimeSpan refresh)
    {
        _console = console;
        _view = console.Live(Frame())
            .AutoClear(false)
            .Overflow(VerticalOverflow.Ellipsis)
            .Cropping(VerticalOverflowCropping.Top) // too many lines for the terminal: the newest stay in view
            .StartAsync(async live =>
            {
                while (!_ended.Task.IsCompleted)
                {
                    live.UpdateTarget(Frame());
                    Interlocked.Increment(ref _frames);
                    await Task.WhenAny(_ended.Task, Task.Delay(refresh));
                }
                live.UpdateTarget(Frame());
            });
    }

    /// <summary>A view on the terminal behind standard error (where docker prints progress), ANSI and redrawing forced on.</summary>
    public static TtyProgress ForStandardError() => new(AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
        Ansi = AnsiSupport.Yes,
        Interactive = InteractionSupport.Yes,
        ColorSystem = ColorSystemSupport.Detect,
    }), TimeSpan.FromMilliseconds(100));

    /// <summary>How many frames the view has drawn so far (a test waits for one drawn after its events).</summary>
    internal int FramesDrawn => Volatile.Read(ref _frames);

    public override void Report(BuildEvent value)
    {
        lock (_timeline.Lock) _timeline.Apply(value);
    }

    public override async Task SucceededAsync(BuildResult result)
    {
        await EndViewAsync(finished: true);
        lock (_timeline.Lock) BuildSummary.WriteSucceeded(Summary, result, _timeline.Warnings);
        Summary.Flush();
    }

    public override async Task FailedAsync(BuildException error)
    {
        await EndViewAsync(finished: false);
        lock (_timeline.Lock) BuildSummary.WriteFailed(Summary, error, _timeline.FirstFailed, _timeline.Warnings);
        Summary.Flush();
    }

    public override async Task CanceledAsync()
    {
        await EndViewAsync(finished: false);
        BuildSummary.WriteCanceled(Summary);
        Summary.Flush();
    }

    // An exception no handler expected: stop redrawing and give the cursor back before it propagates.
    public override async ValueTask DisposeAsync() => await EndViewAsync(finished: false);

    // Below the last frame, plain text: the summary is for copying from, as in buildx.
    private TextWriter Summary => _console.Profile.Out.Writer;

    private async Task EndViewAsync(bool finished)
    {
        if (_ended.Task.IsCompleted) { await _view; return; }
        lock (_timeline.Lock) _finished = finished;
        _ended.TrySetResult();
        await _view;
    }

    private IRenderable Frame()
    {
        lock (_timeline.Lock)
        {
            // One terminal row per line, cut to fit: a wrapped line would throw the in-place redraw off by a row.
            var width = Math.Max(24, _console.Profile.Width - 1);
            var rows = new List<IRenderable>();
            void Add(string text, Style style, string? time = null)
            {
                var room = time is null ? width : width - time.Length - 1;
                var fitted = Fit(text, room);
                rows.Add(new Text(time is null ? fitted : fitted.PadRight(room) + " " + time, style));
            }

            var steps = _timeline.Steps;
            var ended = steps.Count(s => s.State != StepState.Running);
            Add($"[+] Building {BuildSummary.Seconds(_timeline.Elapsed, 1)}s ({ended}/{steps.Count}){(_finished ? " FINISHED" : "")}", new Style(Color.Blue));
            var dim = new Style(decoration: Decoration.Dim);
            foreach (var step in steps)
            {
                var (prefix, style) = step.State switch
                {
                    StepState.Cached => ("CACHED ", new Style(Color.Blue)),
                    StepState.Failed => ("ERROR ", new Style(Color.Red)),
                    StepState.Done => ("", new Style(Color.Blue)),
                    _ => ("", Style.Plain),
                };
                Add($" => {prefix}{step.Name}", style, $"{BuildSummary.Seconds(step.Elapsed, 1)}s");
                if (step.MissReason is { } reason && step.State != StepState.Cached)
                    Add($" => => {reason}", dim);
                if (step.Waiting is { } waiting)
                    Add($" => => {waiting}", new Style(Color.Yellow));
                if (step.State is StepState.Running or StepState.Failed)
                    foreach (var line in step.Tail.TakeLast(RunningTail))
                        Add($" => => # {line.Text}", dim);
            }
            return new Rows(rows);
        }
    }

    private static string Fit(string text, int room)
    {
        var flat = text.Replace('\t', ' ').Replace("\r", "").Replace('\n', ' ');
        return flat.Length <= room ? flat : flat[..Math.Max(0, room - 3)] + "...";
    }
}
