using Ashlar.Executor.Containers;
using Ashlar.Executor.Native;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>Inits started ahead of time still give every step a container as fresh as one started for it.</summary>
[Collection(ContainerCollection.Name)]
public sealed class InitPoolTests(ContainerFixture fixture)
{
    [Fact]
    public async Task A_host_mount_made_after_the_ready_init_started_is_a_usable_bind_source()
    {
        await fixture.RunAsync("true"); // leaves a ready init behind
        var source = Directory.CreateDirectory(Path.Combine(fixture.Root, "mounted-later")).FullName;
        Assert.Equal(0, Posix.Mount("tmpfs", source, "tmpfs", 0, "size=1m"));
        try
        {
            await File.WriteAllTextAsync(Path.Combine(source, "inside.txt"), "on the tmpfs\n");

            var run = await fixture.RunAsync("cat /src/inside.txt", configure: s => s with { Mounts = [ContainerMount.Bind(source, "/src", readOnly: true)] });

            Assert.Equal(["on the tmpfs"], run.Stdout);
        }
        finally { Posix.Unmount(source, LibC.MNT_DETACH); }
    }

    [Fact]
    public async Task Every_step_gets_its_own_namespaces()
    {
        // Both alive at once: the kernel reuses a namespace's number once it is gone.
        const string script = "for n in pid mnt uts; do readlink /proc/self/ns/$n; done; read line";
        using var hold = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var held = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, hold.ClientSafePipeHandle);
        var printed = new TaskCompletionSource();
        var firstLines = new List<string>();
        var first = fixture.RunAsync(script, configure: s => s with
        {
            StandardInput = held,
            StandardOutput = line => { lock (firstLines) { firstLines.Add(line); if (firstLines.Count == 3) printed.TrySetResult(); } },
        });
        await printed.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var second = await fixture.RunAsync("for n in pid mnt uts; do readlink /proc/self/ns/$n; done");
        hold.Dispose(); // EOF: the first container's read returns and it exits
        await first;

        Assert.Equal(3, second.Stdout.Count);
        Assert.All(firstLines.Zip(second.Stdout), pair => Assert.NotEqual(pair.First, pair.Second));
    }
}
