namespace Ashlar.Executor.Containers;

/// <summary>How a container's command ended, and what it used.</summary>
/// <param name="ExitCode">The exit status, or 128 + signal when a signal killed it (as a shell reports it).</param>
/// <param name="Signal">The signal that killed the command, or null when it exited.</param>
/// <param name="OomKilled">True when the kernel killed it for exceeding the memory limit.</param>
/// <param name="CpuTime">User plus system CPU time of everything in the container.</param>
/// <param name="PeakMemoryBytes">The highest memory use of the container's cgroup.</param>
public sealed record ExecResult(int ExitCode, int? Signal, bool OomKilled, TimeSpan CpuTime, long PeakMemoryBytes)
{
    /// <summary>Whether the command exited with status 0.</summary>
    public bool Succeeded => ExitCode == 0 && Signal is null;

    /// <summary>A one-line account of the outcome, e.g. for an error message.</summary>
    public override string ToString() =>
        OomKilled ? $"killed by the memory limit (OOM) with signal {Signal ?? 9}"
        : Signal is { } signal ? $"killed by signal {signal}"
        : $"exit code {ExitCode}";
}
