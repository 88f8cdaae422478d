namespace Ashlar.Cli.Progress;

/// <summary>Where a step is.</summary>
internal enum StepState
{
    Running,
    Done,
    Cached,
    Failed,
}
