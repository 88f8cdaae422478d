using Ashlar.Executor.Diff;
using Ashlar.Executor.Native;
using Ashlar.Executor.Tests.Support;
using Ashlar.Images.Layers;

namespace Ashlar.Executor.Tests.Diff;

/// <summary>
/// File capabilities a step leaves in its upper dir (what <c>setcap</c> in a RUN does) reach the layer byte for byte,
/// also when overlay copies a capped file up from a lower layer.
/// </summary>
[Collection(ContainerCollection.Name)]
public sealed class CapabilityLayerTests(ContainerFixture fixture)
{
    // VFS_CAP_REVISION_2, cap_net_bind_service effective + permitted: binary, not UTF-8.
    private static readonly byte[] NetBindCapability =
        [0x01, 0x00, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];

    private static async Task<byte[]?> CapabilityInLayerAsync(string upperDirectory, string path)
    {
        using var layer = new MemoryStream();
        await LayerDiff.WriteAsync(upperDirectory, layer);
        layer.Position = 0;
        var target = Directory.CreateTempSubdirectory("ashlar-cap-").FullName;
        try
        {
            await LayerUnpacker.UnpackAsync(layer, target);
            return Posix.GetXattr(Path.Combine(target, path), "security.capability");
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    [Fact]
    public async Task A_capability_set_in_a_step_and_one_copied_up_both_reach_the_layer()
    {
        var first = await fixture.RunAsync("cp /bin/busybox /data/ping");
        Assert.Equal(0, Posix.SetXattr(first.Mount.UpperDirectory + "/data/ping", "security.capability", NetBindCapability));

        Assert.Equal(NetBindCapability, await CapabilityInLayerAsync(first.Mount.UpperDirectory!, "data/ping"));

        var name = "capped-" + Guid.NewGuid().ToString("N");
        fixture.Snapshots.Commit(name, first.Key);
        var second = await fixture.RunAsync("touch /data/ping", parent: name); // copy-up keeps security.capability

        Assert.Equal(NetBindCapability, Posix.GetXattr(second.Mount.UpperDirectory + "/data/ping", "security.capability"));
        Assert.Equal(NetBindCapability, await CapabilityInLayerAsync(second.Mount.UpperDirectory!, "data/ping"));
    }
}
