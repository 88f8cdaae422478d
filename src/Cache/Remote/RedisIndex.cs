using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace Ashlar.Cache.Remote;

/// <summary>A Redis server as the shared cache index of many runners, wrapped so that it can never fail or stall a build.</summary>
public static class RedisIndex
{
    /// <summary>The prefix of every key Ashlar writes, so one Redis can serve other programs too.</summary>
    public const string InstanceName = "ashlar/";

    /// <summary>
    /// The index at <paramref name="address"/>. Nothing connects until the first call; a Redis that is down or
    /// slow makes that call log one warning through <paramref name="warn"/> and the index act empty.
    /// </summary>
    /// <param name="address">Where the Redis server is.</param>
    /// <param name="warn">Where the one warning of an outage goes.</param>
    /// <param name="timeout">The bound of each call (<see cref="ResilientDistributedCache.DefaultTimeout"/>).</param>
    /// <param name="retryAfter">How long an outage is left alone before Redis is tried again.</param>
    public static ResilientDistributedCache Connect(CacheIndexAddress address, Action<string> warn, TimeSpan? timeout = null, TimeSpan? retryAfter = null)
    {
        var bound = timeout ?? ResilientDistributedCache.DefaultTimeout;
        var milliseconds = (int)Math.Max(100, bound.TotalMilliseconds);
        var configuration = new ConfigurationOptions
        {
            EndPoints = { { address.Host, address.Port } },
            DefaultDatabase = address.Database,
            Password = address.Password,
            // Never wait for a server that is not there: fail fast and let the wrapper build without it.
            AbortOnConnectFail = false,
            ConnectRetry = 0,
            ConnectTimeout = milliseconds,
            SyncTimeout = milliseconds,
            AsyncTimeout = milliseconds,
            ClientName = "ashlar",
        };
        IDistributedCache redis = new RedisCache(new RedisCacheOptions { ConfigurationOptions = configuration, InstanceName = InstanceName });
        return new ResilientDistributedCache(redis, address.ToString(), warn, bound, retryAfter);
    }
}
