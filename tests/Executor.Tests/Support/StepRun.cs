using Ashlar.Executor.Containers;
using Ashlar.Executor.Snapshots;

namespace Ashlar.Executor.Tests.Support;

/// <summary>One step run by <see cref="ContainerFixture.RunAsync"/>: its snapshot key and mount, result and output lines.</summary>
public sealed record StepRun(string Key, Mount Mount, ExecResult Result, List<string> Stdout, List<string> Stderr)
{
    public string Output => string.Join('\n', Stdout);
}
