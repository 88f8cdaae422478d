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
        var first = await fixture.RunAsync("for n in pid mnt uts; do readlink /proc/self/ns/$n; done");
        var second = await fixture.RunAsync("for n in pid mnt uts; do readlink /proc/self/ns/$n; done");

        Assert.Equal(3, first.Stdout.Count);
        Assert.All(first.Stdout.Zip(second.Stdout), pair => Assert.NotEqual(pair.First, pair.Second));
    }
}
