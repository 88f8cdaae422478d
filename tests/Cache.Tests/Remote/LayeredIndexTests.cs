using Ashlar.Cache.Export;
using Ashlar.Cache.Index;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Cache.Remote;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Tests.Remote;

public class LayeredIndexTests
{
    [Fact]
    public async Task Reads_local_then_shared_then_imported_and_writes_local_and_shared()
    {
        using var dir = new TempDirectory();
        var local = new FileDistributedCache(Path.Combine(dir.Path, "local"));
        var shared = new FileDistributedCache(Path.Combine(dir.Path, "shared"));
        var content = new FileContentStore(Path.Combine(dir.Path, "store"));
        var steps = await CacheSamples.ChainAsync(content, 2);
        var imported = ImportedCache.ReadConfig(CacheArtifact.Create(steps, CacheExportMode.Max).Config, "test", _ => { })!;
        var layered = new LayeredDistributedCache(local, shared, [(imported.ToIndex(), "imported")], _ => { });
        var cache = new LayerCache(layered);

        var fromImport = await cache.TryGetAsync(steps[0].Key);
        var inputs = new CacheKeyBuilder(steps[1].Key, "RUN", "make").Build();
        await cache.PutAsync(inputs, CacheSamples.Record(null));

        Assert.Equal(steps[0].Record, fromImport);
        Assert.NotNull(await new LayerCache(local).TryGetAsync(inputs.Key));
        Assert.NotNull(await new LayerCache(shared).TryGetAsync(inputs.Key));
        Assert.Null(await new LayerCache(local).TryGetAsync(steps[0].Key)); // an import is read through, not copied
    }

    [Fact]
    public async Task A_corrupt_or_foreign_shared_entry_is_a_miss_with_one_warning()
    {
        using var dir = new TempDirectory();
        var shared = new FileDistributedCache(Path.Combine(dir.Path, "shared"));
        var keys = new[] { CacheSamples.Key("corrupt"), CacheSamples.Key("foreign") };
        await shared.SetAsync($"record/{keys[0]}", "{\"layerDigest\": 42"u8.ToArray(), new DistributedCacheEntryOptions());
        await shared.SetAsync($"record/{keys[1]}", "<html>not ours</html>"u8.ToArray(), new DistributedCacheEntryOptions());
        var warnings = new List<string>();
        var cache = new LayerCache(new LayeredDistributedCache(new FileDistributedCache(Path.Combine(dir.Path, "local")), shared, [], warnings.Add));

        Assert.Null(await cache.TryGetAsync(keys[0]));
        Assert.Null(await cache.TryGetAsync(keys[1]));

        var warning = Assert.Single(warnings);
        Assert.Contains("the shared cache index has an entry Ashlar cannot read", warning);
    }

    [Fact]
    public async Task Removing_forgets_only_the_local_entry()
    {
        using var dir = new TempDirectory();
        var local = new FileDistributedCache(Path.Combine(dir.Path, "local"));
        var shared = new FileDistributedCache(Path.Combine(dir.Path, "shared"));
        var cache = new LayerCache(new LayeredDistributedCache(local, shared, [], _ => { }));
        var inputs = new CacheKeyBuilder(CacheKey.Scratch, "RUN", "make").Build();
        await cache.PutAsync(inputs, CacheSamples.Record(null));

        await cache.RemoveAsync(inputs.Key);

        Assert.Null(await new LayerCache(local).TryGetAsync(inputs.Key));
        Assert.NotNull(await cache.TryGetAsync(inputs.Key));
    }
}
