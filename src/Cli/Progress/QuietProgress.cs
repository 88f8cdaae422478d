using Ashlar.Builder;

namespace Ashlar.Cli.Progress;

/// <summary><c>-q</c>: no progress; the image ID alone on standard output, and only a failure's summary on standard error.</summary>
internal sealed class QuietProgress(TextWriter output, TextWriter error) : BuildProgress
{
    private readonly BuildTimeline _timeline = new();

    public override void Report(BuildEvent value)
    {
        lock (_timeline.Lock) _timeline.Apply(value);
    }

    public override Task SucceededAsync(BuildResult result)
    {
        output.WriteLine(result.ConfigDigest);
        return Task.CompletedTask;
    }

    public override Task FailedAsync(BuildException failure)
    {
        lock (_timeline.Lock) BuildSummary.WriteFailed(error, failure, _timeline.FirstFailed, _timeline.Warnings);
        return Task.CompletedTask;
    }

    public override Task CanceledAsync()
    {
        BuildSummary.WriteCanceled(error);
        return Task.CompletedTask;
    }
}
