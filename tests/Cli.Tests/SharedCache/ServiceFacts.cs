namespace Ashlar.Cli.Tests.SharedCache;

/// <summary>Needs the test registry (<c>ASHLAR_TEST_REGISTRY</c>); skipped, visibly, when .ci/run did not start one.</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ASHLAR_TEST_REGISTRY")))
            Skip = "ASHLAR_TEST_REGISTRY is not set (.ci/run starts the registry and sets it)";
    }
}

/// <summary>Needs the test registry and redis-server (<c>ASHLAR_TEST_REDIS</c>).</summary>
public sealed class RedisFactAttribute : FactAttribute
{
    public RedisFactAttribute()
    {
        foreach (var variable in new[] { "ASHLAR_TEST_REGISTRY", "ASHLAR_TEST_REDIS" })
            if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)))
                Skip = $"{variable} is not set (.ci/run starts the server and sets it)";
    }
}
