using Ashlar.Executor.Containers;
using Ashlar.Executor.Snapshots;

namespace Ashlar.Executor.Tests.Support;

/// <summary>
/// The test assembly's entry point, for tests that need Ashlar in a process of its own: <c>hold-container
/// SNAPSHOTS PARENT MARKER</c> runs <c>sleep MARKER</c> in a container, prints "ready" once it runs, and waits.
/// (Under the test runner this Main never runs.)
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is not ["hold-container", var snapshots, var parent, var marker]) return 2;
        var mounts = new Snapshotter(snapshots).Prepare("held-" + Guid.NewGuid().ToString("N"), parent);
        var result = await Container.RunAsync(new ContainerSpec
        {
            Rootfs = mounts,
            Args = ["/bin/sh", "-c", $"echo ready; exec sleep {marker}"],
            StandardOutput = line => Console.Out.WriteLine(line),
        });
        return result.ExitCode;
    }
}
