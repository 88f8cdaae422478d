using System.Text;
using Ashlar.Images.Formats;
using Ashlar.Images.Store;

namespace Ashlar.Images.Tests.Support;

/// <summary>Small images made in the store directly, for tests that are about the store rather than layers.</summary>
internal static class TestImages
{
    public static async Task<Descriptor> PutAsync(ImageStore store, string seed, DateTime? created = null)
    {
        var layer = await store.PutLayerAsync(new MemoryStream(Encoding.UTF8.GetBytes("layer " + seed)), MediaTypes.OciLayer);
        var config = await store.PutConfigAsync(new ImageConfig
        {
            Created = created ?? new DateTime(2024, 1, 2, 3, 4, 5, DateTimeKind.Utc),
            Architecture = "amd64",
            OS = "linux",
            Config = new ContainerConfig { Cmd = ["sh"], Labels = new Dictionary<string, string> { ["seed"] = seed } },
            RootFs = new RootFs { DiffIds = [layer.DigestText] },
            History = [new HistoryEntry { CreatedBy = "test " + seed }],
        });
        return await store.PutManifestAsync(new ImageManifest { MediaType = MediaTypes.OciManifest, Config = config, Layers = [layer] });
    }
}
