using Ashlar.Cache.Index;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Cache.Remote;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;
using Ashlar.Images.References;
using Ashlar.Images.Registry;

namespace Ashlar.Cache.Tests.Remote;

/// <summary>Blob before record: a runner never takes a shared hit whose layer the runner that made it has not pushed yet.</summary>
public class SharedLayerGuardTests
{
    [RegistryFact]
    public async Task A_record_is_shared_only_after_its_layer_is_in_the_registry()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var storeB = new FileContentStore(Path.Combine(dir.Path, "b"));
        var shared = new FileDistributedCache(Path.Combine(dir.Path, "shared")); // stands for Redis: any IDistributedCache
        var cache = ImageReference.Parse($"{TestServices.Registry}/{TestServices.UniqueRepository("guard")}:main");
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        var source = new RegistryLayerSource(client, cache.Domain, cache.Path, _ => { });
        var layer = await CacheSamples.LayerAsync(storeA);
        var inputs = new CacheKeyBuilder(CacheKey.Scratch, "RUN", "make").Build();

        var runnerA = new LayerCache(new LayeredDistributedCache(new FileDistributedCache(Path.Combine(dir.Path, "a-index")), shared, [], _ => { },
            new SharedLayerGuard(storeA, [source], client, cache, _ => { })));
        await runnerA.PutAsync(inputs, CacheSamples.Record(layer));
        var runnerB = new LayerCache(new LayeredDistributedCache(new FileDistributedCache(Path.Combine(dir.Path, "b-index")), shared, [], _ => { },
            new SharedLayerGuard(storeB, [source], client, null, _ => { })));
        var hit = await runnerB.TryGetAsync(inputs.Key);

        Assert.Equal(layer, hit?.Layer);
        Assert.True(await source.TryFetchAsync(layer, storeB, CancellationToken.None));
    }

    [RegistryFact]
    public async Task A_shared_record_whose_layer_is_nowhere_is_a_miss()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var shared = new FileDistributedCache(Path.Combine(dir.Path, "shared"));
        var inputs = new CacheKeyBuilder(CacheKey.Scratch, "RUN", "make").Build();
        // Runner A shared a record without publishing its layer (an older client, or a push that failed after).
        await new LayerCache(shared).PutAsync(inputs, CacheSamples.Record(await CacheSamples.LayerAsync(storeA)));
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        var source = new RegistryLayerSource(client, TestServices.Registry, TestServices.UniqueRepository("guard"), _ => { });
        var storeB = new FileContentStore(Path.Combine(dir.Path, "b"));

        var runnerB = new LayerCache(new LayeredDistributedCache(new FileDistributedCache(Path.Combine(dir.Path, "b-index")), shared, [], _ => { },
            new SharedLayerGuard(storeB, [source], client, null, _ => { })));

        Assert.Null(await runnerB.TryGetAsync(inputs.Key));
        Assert.NotNull(await new LayerCache(shared).TryGetAsync(inputs.Key));
    }

    [RegistryFact]
    public async Task A_shared_record_names_where_its_layer_was_published_so_a_runner_with_only_the_index_can_fetch_it()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var storeB = new FileContentStore(Path.Combine(dir.Path, "b"));
        var shared = new FileDistributedCache(Path.Combine(dir.Path, "shared"));
        var cache = ImageReference.Parse($"{TestServices.Registry}/{TestServices.UniqueRepository("guard")}:main");
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        var layer = await CacheSamples.LayerAsync(storeA);
        var inputs = new CacheKeyBuilder(CacheKey.Scratch, "RUN", "make").Build();
        await new LayerCache(new LayeredDistributedCache(new FileDistributedCache(Path.Combine(dir.Path, "a-index")), shared, [], _ => { },
            new SharedLayerGuard(storeA, [], client, cache, _ => { }))).PutAsync(inputs, CacheSamples.Record(layer));

        var warnings = new List<string>();
        var guardB = new SharedLayerGuard(storeB, [], client, null, warnings.Add);
        var hit = await new LayerCache(new LayeredDistributedCache(new FileDistributedCache(Path.Combine(dir.Path, "b-index")), shared, [], warnings.Add, guardB))
            .TryGetAsync(inputs.Key);

        Assert.Equal($"{cache.Domain}/{cache.Path}", hit?.LayerRepository);
        Assert.Empty(warnings);
        Assert.Equal(Images.Store.Lazy.LazyBlobSource.InRegistry(cache.Domain, cache.Path), await guardB.Published!.LocateAsync(layer, CancellationToken.None));
        Assert.True(await guardB.Published.TryFetchAsync(layer, storeB, CancellationToken.None));
        Assert.True(storeB.Exists(layer.Digest));
    }

    [RegistryFact]
    public async Task A_shared_record_whose_layer_cannot_be_found_says_so_instead_of_pruned()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var shared = new FileDistributedCache(Path.Combine(dir.Path, "shared"));
        var inputs = new CacheKeyBuilder(CacheKey.Scratch, "RUN", "make").Build();
        var layer = await CacheSamples.LayerAsync(storeA);
        // Written without a --cache-to registry: the record cannot say where its layer is.
        await new LayerCache(shared).PutAsync(inputs, CacheSamples.Record(layer));
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        var warnings = new List<string>();
        var runnerB = new LayerCache(new LayeredDistributedCache(new FileDistributedCache(Path.Combine(dir.Path, "b-index")), shared, [], warnings.Add,
            new SharedLayerGuard(new FileContentStore(Path.Combine(dir.Path, "b")), [], client, null, warnings.Add)));

        Assert.Null(await runnerB.TryGetAsync(inputs.Key));
        var warning = Assert.Single(warnings);
        Assert.Contains("--cache-from type=registry", warning);
        Assert.DoesNotContain("pruned", warning);
    }
}
