using Ashlar.Cache.Remote;

namespace Ashlar.Cache.Tests.Remote.Support;

/// <summary>The real servers CI starts on loopback.</summary>
internal static class TestServices
{
    public const string RegistryVariable = "ASHLAR_TEST_REGISTRY";
    public const string RedisVariable = "ASHLAR_TEST_REDIS";

    /// <summary><c>host:port</c> of the test registry.</summary>
    public static string Registry => Environment.GetEnvironmentVariable(RegistryVariable)!.Trim();

    /// <summary>The shared test Redis, database 1 so tests never meet a developer's data in 0.</summary>
    public static CacheIndexAddress Redis => CacheIndexAddress.Parse($"redis://{Environment.GetEnvironmentVariable(RedisVariable)!.Trim()}/1");

    /// <summary>A repository no other test uses.</summary>
    public static string UniqueRepository(string purpose) => $"ashlar-test/{purpose}-{Guid.NewGuid().ToString("N")[..8]}";
}
