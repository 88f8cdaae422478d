using System.Diagnostics;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>A container never outlives the Ashlar process that started it, however that process ends.</summary>
[Collection(ContainerCollection.Name)]
public sealed class ParentDeathTests(ContainerFixture fixture)
{
    private static IEnumerable<string> Leftovers(int pid) =>
        Directory.EnumerateDirectories(Ashlar.Executor.Containers.RunDirectory.Root, $"{pid}-*");

    [Fact]
    public async Task Killing_ashlar_with_SIGKILL_kills_its_container()
    {
        var marker = $"1000{Random.Shared.Next(100, 999)}";
        var dotnet = Environment.ProcessPath is { } host && Path.GetFileName(host) == "dotnet" ? host : "dotnet";
        var start = new ProcessStartInfo(dotnet, ["exec", Path.Combine(AppContext.BaseDirectory, "Ashlar.Executor.Tests.dll"), "hold-container", Path.Combine(fixture.Root, "snapshots"), "base", marker])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var ashlar = Process.Start(start)!;
        _ = ashlar.StandardError.ReadToEndAsync();
        try
        {
            var ready = await ashlar.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal("ready", ready);
            Assert.NotEmpty(HostProbe.ProcessesWith($"sleep {marker}"));

            ashlar.Kill(); // SIGKILL: no handler, no finally, no cleanup code of Ashlar's runs
            await ashlar.WaitForExitAsync();

            // The kernel's parent-death signal ends PID 1 of the container, and the pid namespace with it.
            for (var i = 0; i < 100 && HostProbe.ProcessesWith($"sleep {marker}").Count > 0; i++)
                await Task.Delay(100);
            Assert.Empty(HostProbe.ProcessesWith($"sleep {marker}"));

            // What the dead process left on the host goes the next time a process starts a container.
            Assert.NotEmpty(Leftovers(ashlar.Id));
            Assert.Equal(0, (await fixture.RunAsync("true")).Result.ExitCode);
            Ashlar.Executor.Containers.RunDirectory.SweepLeftovers();
            Assert.Empty(Leftovers(ashlar.Id));
        }
        finally
        {
            if (!ashlar.HasExited) ashlar.Kill();
        }
    }
}
