namespace Ashlar.Images.Tests.Registry.Support;

/// <summary>
/// The plain (no auth) registry the registry tests share: CI's at <c>ASHLAR_TEST_REGISTRY</c> (e.g. 127.0.0.1:5000)
/// when set, else one this fixture starts. Tests use unique repository names, so they never see each other's images.
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    RegistryProcess? owned;

    /// <summary><c>host:port</c> of the registry.</summary>
    public string Host { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable("ASHLAR_TEST_REGISTRY");
        if (!string.IsNullOrWhiteSpace(given))
        {
            Host = given.Trim();
            return;
        }
        owned = await RegistryProcess.StartAsync();
        Host = owned.Host;
    }

    /// <summary>A repository name no other test uses, e.g. <c>test/roundtrip-1a2b3c4d</c>.</summary>
    public static string UniqueRepository(string purpose) => $"ashlar-test/{purpose}-{Guid.NewGuid().ToString("N")[..8]}";

    public async Task DisposeAsync()
    {
        if (owned is not null) await owned.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RegistryCollection : ICollectionFixture<RegistryFixture>
{
    public const string Name = "registry";
}
