using System.Net;
using System.Net.Sockets;
using Ashlar.Cache.Records;
using Ashlar.Cache.Remote;
using Ashlar.Cache.Tests.Remote.Support;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Tests.Remote;

/// <summary>A Redis index that is down, silent or stops mid-build never fails or stalls a build: one warning, then an empty cache.</summary>
public class ResilientIndexTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_dead_port_is_an_empty_cache_with_one_warning()
    {
        var warnings = new List<string>();
        using var index = RedisIndex.Connect(CacheIndexAddress.Parse($"redis://127.0.0.1:{RedisProcess.FreePort()}"), warnings.Add, Short);
        var cache = new LayerCache(index);

        for (var i = 0; i < 5; i++)
        {
            Assert.Null(await cache.TryGetAsync(CacheSamples.Key($"k{i}")));
            await index.SetAsync($"k{i}", [1, 2, 3], new DistributedCacheEntryOptions());
        }

        Assert.Single(warnings);
        Assert.Contains("is unavailable", warnings[0]);
        Assert.Contains("building without it", warnings[0]);
        Assert.True(index.IsDown);
    }

    [Fact]
    public async Task A_server_that_accepts_and_never_answers_is_cut_off_by_the_timeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () => { while (true) accepted.Add(await silent.AcceptSocketAsync()); });
        var warnings = new List<string>();
        using var index = RedisIndex.Connect(CacheIndexAddress.Parse($"redis://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}"), warnings.Add, Short);

        var value = await index.GetAsync("some-key").WaitAsync(TimeSpan.FromSeconds(30));
        await index.SetAsync("some-key", [1], new DistributedCacheEntryOptions()).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Null(value);
        Assert.Single(warnings);
        foreach (var socket in accepted) socket.Dispose();
    }

    [RedisFact]
    public async Task Redis_stopped_mid_build_warns_once_and_a_restarted_one_is_used_again()
    {
        using var redis = await RedisProcess.StartAsync();
        var warnings = new List<string>();
        using var index = RedisIndex.Connect(CacheIndexAddress.Parse($"redis://127.0.0.1:{redis.Port}"), warnings.Add, Short, retryAfter: TimeSpan.FromMilliseconds(200));
        await index.SetAsync("before", [7], new DistributedCacheEntryOptions());
        Assert.Equal([7], await index.GetAsync("before"));

        redis.Stop();
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await index.GetAsync("before"));
            await index.SetAsync($"during-{i}", [8], new DistributedCacheEntryOptions());
        }
        Assert.Single(warnings);

        // The same port again (what a restart looks like); after the retry delay the index is probed and used.
        using var restarted = await RedisProcess.StartOnAsync(redis.Port);
        await Task.Delay(300);
        byte[]? after = null;
        for (var attempt = 0; attempt < 50 && after is null; attempt++)
        {
            await index.SetAsync("after", [9], new DistributedCacheEntryOptions());
            after = await index.GetAsync("after");
            if (after is null) await Task.Delay(200);
        }
        Assert.Equal([9], after);
        Assert.False(index.IsDown);
    }
}
