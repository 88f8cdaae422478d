using System.Security.Cryptography;
using Ashlar.Cache.Export;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Tests.Remote.Support;

/// <summary>Steps with real layer blobs (random bytes: the cache moves blobs, it never reads them) in a real store.</summary>
internal static class CacheSamples
{
    public static CacheKey Key(string name) => new(Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(name)));

    public static async Task<Descriptor> LayerAsync(IContentStore store, int size = 4096)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        var (digest, length) = await store.WriteAsync(new MemoryStream(bytes));
        return Descriptor.For(MediaTypes.OciLayerGzip, digest, length);
    }

    public static CacheRecord Record(Descriptor? layer) =>
        new(layer?.Digest, layer is null ? null : Digest.Sha256(layer.Digest.Hex.Select(c => (byte)c).ToArray()), "chain-on-runner-a", layer is null ? """{"Env":["A=1"]}""" : null,
            DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), layer);

    /// <summary>A chain of <paramref name="count"/> steps on scratch, every other one without a layer.</summary>
    public static async Task<List<CacheExportStep>> ChainAsync(IContentStore store, int count, string seed = "chain")
    {
        var steps = new List<CacheExportStep>();
        var parent = CacheKey.Scratch;
        for (var i = 0; i < count; i++)
        {
            var layer = i % 2 == 0 ? await LayerAsync(store) : null;
            var key = Key($"{seed}-{i}");
            steps.Add(new CacheExportStep(key, parent, layer is null ? $"ENV A={i}" : $"RUN step {i}", Record(layer)));
            parent = key;
        }
        return steps;
    }
}
