using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Cache.Remote;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Tests.Remote;

/// <summary>The layer cache over the real shared Redis: many runners see each other's records at once.</summary>
public class RedisIndexTests
{
    [RedisFact]
    public async Task A_record_one_runner_puts_is_a_hit_for_another_at_once()
    {
        var warnings = new List<string>();
        using var runnerA = RedisIndex.Connect(TestServices.Redis, warnings.Add);
        using var runnerB = RedisIndex.Connect(TestServices.Redis, warnings.Add);
        using var store = new TempDirectory();
        var layer = await CacheSamples.LayerAsync(new FileContentStore(store.Path));
        var inputs = new CacheKeyBuilder(CacheKey.Scratch, "RUN", $"make {Guid.NewGuid()}").Build();

        await new LayerCache(runnerA).PutAsync(inputs, CacheSamples.Record(layer));
        var hit = await new LayerCache(runnerB).TryGetAsync(inputs.Key);

        Assert.Equal(layer, hit?.Layer);
        Assert.Empty(warnings);
    }

    [RedisFact]
    public async Task Two_runners_publishing_one_key_at_once_leave_one_whole_record()
    {
        using var store = new TempDirectory();
        var content = new FileContentStore(store.Path);
        var inputs = new CacheKeyBuilder(CacheKey.Scratch, "RUN", $"race {Guid.NewGuid()}").Build();
        var layers = new[] { await CacheSamples.LayerAsync(content), await CacheSamples.LayerAsync(content) };

        await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            using var runner = RedisIndex.Connect(TestServices.Redis, _ => { });
            await new LayerCache(runner).PutAsync(inputs, CacheSamples.Record(layers[i % 2]));
        }));
        using var reader = RedisIndex.Connect(TestServices.Redis, _ => { });
        var record = await new LayerCache(reader).TryGetAsync(inputs.Key);

        Assert.NotNull(record);
        Assert.Contains(record.Layer, layers);
        Assert.Equal(record.Layer!.Digest, record.LayerDigest);
    }
}
