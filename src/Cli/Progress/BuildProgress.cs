using Ashlar.Builder;

namespace Ashlar.Cli.Progress;

/// <summary>
/// How <c>ashlar build</c> shows a build: told every <see cref="BuildEvent"/> (from any thread) while it runs, then
/// exactly one of how it ended. The build command knows only this; <see cref="ProgressChooser"/> picks the kind.
/// </summary>
internal abstract class BuildProgress : IProgress<BuildEvent>, IAsyncDisposable
{
    public abstract void Report(BuildEvent value);

    /// <summary>The build made an image: print what the user needs of it.</summary>
    public abstract Task SucceededAsync(BuildResult result);

    /// <summary>The build failed: print the failing step's last lines, the Dockerfile excerpt and the error.</summary>
    public abstract Task FailedAsync(BuildException error);

    /// <summary>The user stopped the build.</summary>
    public abstract Task CanceledAsync();

    /// <summary>Leaves the terminal as it was even when the build ended by an unexpected exception.</summary>
    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
