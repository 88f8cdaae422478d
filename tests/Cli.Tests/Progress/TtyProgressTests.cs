using System.Diagnostics;
using System.Text.RegularExpressions;
using Ashlar.Builder;
using Ashlar.Cli.Progress;
using Spectre.Console.Testing;

namespace Ashlar.Cli.Tests.Progress;

/// <summary>The live view, drawn into Spectre's test console (an interactive ANSI terminal in memory).</summary>
public sealed class TtyProgressTests
{
    private const string ImageId = "sha256:1111111111111111111111111111111111111111111111111111111111111111";

    [Fact]
    public async Task Parallel_steps_are_drawn_together_with_their_last_lines_then_the_summary_follows_the_last_frame()
    {
        using var console = new TestConsole().Interactive().EmitAnsiSequences().Width(100).Height(40);
        var view = new TtyProgress(console, TimeSpan.FromMilliseconds(5));
        view.Report(new BuildEvent(BuildEventKind.StepStarted, 1, "[a 2/2] RUN make a", null, TimeSpan.Zero));
        view.Report(new BuildEvent(BuildEventKind.StepStarted, 2, "[b 2/2] RUN make b", null, TimeSpan.Zero));
        view.Report(new BuildEvent(BuildEventKind.StepCacheMiss, 1, "[a 2/2] RUN make a", "RUN make a missed: input \"a.c\" changed",
            TimeSpan.Zero, Reason: "RUN make a missed: input \"a.c\" changed"));
        view.Report(new BuildEvent(BuildEventKind.StepOutput, 1, "[a 2/2] RUN make a", "compiling a", TimeSpan.FromSeconds(0.1)));
        view.Report(new BuildEvent(BuildEventKind.StepOutput, 2, "[b 2/2] RUN make b", "compiling b", TimeSpan.FromSeconds(0.1)));
        await FramesAsync(view, 2);
        view.Report(new BuildEvent(BuildEventKind.StepDone, 1, "[a 2/2] RUN make a", null, TimeSpan.FromSeconds(1.25)));
        view.Report(new BuildEvent(BuildEventKind.StepCached, 2, "[b 2/2] RUN make b", null, TimeSpan.Zero));
        view.Report(new BuildEvent(BuildEventKind.Warning, 0, "", "One or more build-args [X] were not consumed", TimeSpan.Zero));
        await view.SucceededAsync(new BuildResult { ImageDigest = ImageId, ConfigDigest = ImageId, Tags = ["docker.io/library/app:latest"] });

        var output = console.Output;
        // Redrawn in place: the cursor goes back up over the previous frame.
        Assert.Matches(new Regex(@"\x1b\[\d+A"), output);
        var frames = Regex.Split(output, @"\x1b\[\d+A").Select(Plain).ToList();
        // One frame while both ran: both steps, each with its last output line.
        Assert.Contains(frames, f => f.Contains(" => [a 2/2] RUN make a") && f.Contains(" => => # compiling a")
            && f.Contains(" => [b 2/2] RUN make b") && f.Contains(" => => # compiling b"));
        var last = frames[^1];
        Assert.Contains("[+] Building", last);
        Assert.Contains("(2/2) FINISHED", last);
        Assert.Matches(new Regex(@" => \[a 2/2\] RUN make a +1\.3s"), last);
        Assert.Contains(" => CACHED [b 2/2] RUN make b", last);
        Assert.Contains(" => => RUN make a missed: input \"a.c\" changed", last); // why it ran stays with the step
        Assert.DoesNotContain("# compiling", last); // finished steps fold their output away
        var summary = last[(last.IndexOf("WARNING:", StringComparison.Ordinal))..].Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                "WARNING: One or more build-args [X] were not consumed",
                "naming to docker.io/library/app:latest done",
                $"writing image {ImageId} done",
            ],
            summary);
    }

    [Fact]
    public async Task A_failed_step_keeps_its_last_lines_in_the_view_and_the_error_block_names_it()
    {
        using var console = new TestConsole().Interactive().EmitAnsiSequences().Width(100);
        var view = new TtyProgress(console, TimeSpan.FromMilliseconds(5));
        view.Report(new BuildEvent(BuildEventKind.StepStarted, 1, "[2/2] RUN false", null, TimeSpan.Zero));
        view.Report(new BuildEvent(BuildEventKind.StepOutput, 1, "[2/2] RUN false", new string('x', 300), TimeSpan.FromSeconds(0.011)));
        view.Report(new BuildEvent(BuildEventKind.StepOutput, 1, "[2/2] RUN false", "about to fail", TimeSpan.FromSeconds(0.012)));
        view.Report(new BuildEvent(BuildEventKind.StepFailed, 1, "[2/2] RUN false", "exit code: 1", TimeSpan.FromSeconds(0.02)));
        await view.FailedAsync(new BuildException("process \"/bin/sh -c false\" did not complete successfully: exit code: 1", "Dockerfile", 2)
        {
            Excerpt = ["   1 |     FROM busybox", "   2 | >>> RUN false"],
        });

        var last = Plain(Regex.Split(console.Output, @"\x1b\[\d+A")[^1]);
        Assert.Contains(" => ERROR [2/2] RUN false", last);
        Assert.Contains(" => => # about to fail", last);
        Assert.DoesNotContain("FINISHED", last);
        // Every row of the view fits the terminal (a wrapped row would break the redraw); the long line is cut.
        var view_ = last[..last.IndexOf("------", StringComparison.Ordinal)];
        Assert.All(view_.Split('\n'), row => Assert.True(row.Length <= 100, $"{row.Length} columns: {row}"));
        Assert.Contains(" => => # xxx", view_);
        Assert.Contains("x...", view_);
        Assert.Contains($$"""
            ------
             > [2/2] RUN false:
            0.011 {{new string('x', 300)}}
            0.012 about to fail
            ------
            Dockerfile:2
            --------------------
               1 |     FROM busybox
               2 | >>> RUN false
            --------------------
            ERROR: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1
            """, string.Join('\n', last.Split('\n').Select(l => l.TrimEnd())));
    }

    private static async Task FramesAsync(TtyProgress view, int more)
    {
        var target = view.FramesDrawn + more;
        var clock = Stopwatch.StartNew();
        while (view.FramesDrawn < target)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the live view stopped drawing");
            await Task.Delay(5);
        }
    }

    // The text of a frame without colours and line-clearing sequences.
    private static string Plain(string text) => Regex.Replace(text, @"\x1b\[[0-9;?]*[a-zA-Z]", "").Replace("\r", "");
}
