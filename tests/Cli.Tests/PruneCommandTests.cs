using Ashlar.Cache.Index;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Cli.Tests.Support;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Content;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Tests;

/// <summary><c>ashlar prune</c> over the build cache: kept by default, <c>--filter until=</c>, <c>--keep-storage</c> LRU, <c>--all</c>.</summary>
public class PruneCommandTests
{
    private const int LayerSize = 1 << 20;

    [Fact]
    public async Task Cache_entries_go_by_last_use_and_keep_their_blobs_until_then()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync();
        var clock = new SettableClock();
        var cache = new LayerCache(new FileDistributedCache(Path.Combine(store.Root, "cache", "index"), clock), clock);
        var now = DateTimeOffset.UtcNow;
        var layers = new List<(CacheKey Key, Digest Blob)>();
        foreach (var hoursAgo in new[] { 3, 2, 1 })
        {
            clock.Now = now - TimeSpan.FromHours(hoursAgo);
            var (blob, _) = await store.Store.Content.WriteAsync(TestStore.RandomBytes(LayerSize));
            // Written "then": a blob written in the last moments counts as held by a build that may be starting.
            File.SetLastWriteTimeUtc(store.Store.Content.PathOf(blob), clock.Now.UtcDateTime);
            var inputs = new CacheKeyBuilder(CacheKey.Scratch, "exec", $"RUN step {hoursAgo}").Build();
            await cache.PutAsync(inputs, new CacheRecord(blob, blob, null, null, clock.Now, clock.Now));
            layers.Add((inputs.Key, blob));
        }
        var (oldest, middle, newest) = (layers[0], layers[1], layers[2]);
        bool Kept((CacheKey Key, Digest Blob) layer) => store.Store.Content.Exists(layer.Blob);

        // By default the cache stays, and so do the blobs only it references.
        Assert.Equal(0, (await store.RunAsync("prune", "-f")).ExitCode);
        Assert.True(Kept(oldest) && Kept(middle) && Kept(newest));

        var until = await store.RunAsync("prune", "-f", "--filter", "until=150m");
        Assert.True(until.ExitCode == 0, until.Stderr);
        Assert.Contains("Deleted build cache objects:", until.Stdout);
        Assert.False(Kept(oldest));
        Assert.True(Kept(middle) && Kept(newest));

        var usage = await new StoreGarbageCollector(store.Store, SnapshotPruner.ForStore(store.Root), CacheIndexCollector.ForStore(store.Root)).UsageAsync();
        Assert.Equal(2, usage.CacheEntries - 1); // two records and one list of children
        var keep = usage.Total - LayerSize / 2;
        var lru = await store.RunAsync("prune", "-f", "--keep-storage", $"{keep}B");
        Assert.True(lru.ExitCode == 0, lru.Stderr);
        Assert.False(Kept(middle));
        Assert.True(Kept(newest));
        Assert.NotNull(await cache.TryGetAsync(newest.Key));

        Assert.Equal(0, (await store.RunAsync("prune", "-f", "--all")).ExitCode);
        Assert.False(Kept(newest));
        Assert.Null(await cache.TryGetAsync(newest.Key));
        Assert.Equal(0, (await store.RunAsync("run", "busybox", "true")).ExitCode); // images are never pruned
    }

    [Fact]
    public async Task Du_shows_the_build_cache_share()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync();
        var cache = new LayerCache(FileDistributedCache.ForStore(store.Root));
        var (blob, _) = await store.Store.Content.WriteAsync(TestStore.RandomBytes(LayerSize));
        await cache.PutAsync(new CacheKeyBuilder(CacheKey.Scratch, "exec", "RUN x").Build(), new CacheRecord(blob, blob, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow));

        var du = await store.RunAsync("du");
        Assert.True(du.ExitCode == 0, du.Stderr);
        var row = du.Stdout.Split('\n').Single(l => l.StartsWith("Build Cache", StringComparison.Ordinal));
        Assert.Matches(@"^Build Cache\s+2\s+\d\s+1\.0\d+MB", row);
    }

    [Theory]
    [InlineData("10GB", 10_000_000_000L)]
    [InlineData("512mb", 512_000_000L)]
    [InlineData("1.5GiB", 1_610_612_736L)]
    [InlineData("1048576", 1_048_576L)]
    public void Sizes_parse_as_docker_takes_them(string text, long bytes) =>
        Assert.Equal(bytes, StoreGarbageCollector.ParseSize(text));

    [Fact]
    public async Task Bad_flags_get_a_clear_error()
    {
        using var store = new TestStore();
        var size = await store.RunAsync("prune", "-f", "--keep-storage", "ten");
        Assert.Equal(1, size.ExitCode);
        Assert.Contains("--keep-storage", size.Stderr);
        var filter = await store.RunAsync("prune", "-f", "--filter", "label=x");
        Assert.Equal(1, filter.ExitCode);
        Assert.Contains("only until=DURATION", filter.Stderr);
    }

    private sealed class SettableClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;
        public override DateTimeOffset GetUtcNow() => Now;
    }
}
