namespace Ashlar.Cache.Tests.Remote.Support;

/// <summary>A fact that needs a real server named by an environment variable (set by .ci/run); skipped, visibly, when it is not set.</summary>
public abstract class ServiceFactAttribute : FactAttribute
{
    protected ServiceFactAttribute(string variable)
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(variable)))
            Skip = $"{variable} is not set (.ci/run starts the server and sets it)";
    }
}

/// <summary>Needs the test registry at <c>ASHLAR_TEST_REGISTRY</c>.</summary>
public sealed class RegistryFactAttribute() : ServiceFactAttribute(TestServices.RegistryVariable);

/// <summary>Needs redis-server: the shared one at <c>ASHLAR_TEST_REDIS</c> (and the binary, for tests that start and stop their own).</summary>
public sealed class RedisFactAttribute() : ServiceFactAttribute(TestServices.RedisVariable);
