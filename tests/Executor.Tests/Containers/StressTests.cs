using Ashlar.Executor.Containers;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>Many containers in a row while the process is busy allocating: spawning must never hang.</summary>
[Collection(ContainerCollection.Name)]
public sealed class StressTests(ContainerFixture fixture)
{
    [Fact]
    public async Task Three_hundred_steps_while_other_threads_allocate_never_hang()
    {
        using var stop = new CancellationTokenSource();
        var allocators = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(() =>
        {
            var keep = new List<byte[]>();
            while (!stop.IsCancellationRequested)
            {
                keep.Add(new byte[1024 + keep.Count % 7 * 4096]);
                if (keep.Count > 4096) keep.Clear(); // steady garbage: frequent GCs while containers spawn
                if (keep.Count % 512 == 0) Thread.Sleep(1); // leave the CPUs to the containers: keep the test quick
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        var steps = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                var key = $"stress-{Guid.NewGuid():N}";
                var mounts = fixture.Snapshots.Prepare(key, "base");
                var output = new List<string>();
                var result = await Container.RunAsync(new ContainerSpec
                {
                    Rootfs = mounts, Args = ["/bin/sh", "-c", $"echo {i} > /step"], StandardOutput = output.Add,
                });
                Assert.Equal(0, result.ExitCode);
                Assert.Equal($"{i}\n", File.ReadAllText(Path.Combine(mounts[0].UpperDirectory!, "step")));
                fixture.Snapshots.Remove(key);
            }
        });

        var finished = await Task.WhenAny(steps, Task.Delay(TimeSpan.FromMinutes(3)));
        stop.Cancel();
        await Task.WhenAll(allocators);
        Assert.True(finished == steps, "300 container steps did not finish within 3 minutes: a spawn hung");
        await steps;
        Assert.Empty(HostProbe.MountsMentioning("ashlar-run"));
    }
}
