using System.Net;
using Ashlar.Images.Content;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Auth;
using Ashlar.Images.Registry.Transfer;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>
/// Real registries that want credentials: Basic against an htpasswd file, and the Bearer token flow against a
/// token server in the test. Credentials come from a docker config.json, as <c>ashlar login</c> writes it.
/// </summary>
public sealed class AuthTests : IDisposable
{
    const string User = "alice";
    const string Password = "s3cret-Pa55";

    readonly TempDirectory temp = new();

    RegistryClient ClientWith(string host, string? password = Password)
    {
        var config = new DockerConfig(temp.Combine($"docker-{Guid.NewGuid():N}", "config.json"));
        if (password is not null) config.Save(host, new RegistryCredentials(User, password));
        return new RegistryClient(new RegistryClientOptions { Credentials = config, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });
    }

    async Task<RegistryProcess> StartHtpasswdRegistryAsync()
    {
        var htpasswd = temp.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"{User}:{BCrypt.Net.BCrypt.HashPassword(Password, workFactor: 5)}\n");
        return await RegistryProcess.StartAsync($"""
            auth:
              htpasswd:
                realm: ashlar-test
                path: {htpasswd}
            """);
    }

    async Task<(TokenServer, RegistryProcess)> StartTokenRegistryAsync(bool useAccessTokenField = false)
    {
        var certificate = temp.Combine("token-cert.pem");
        var tokens = new TokenServer(certificate, User, Password, useAccessTokenField);
        return (tokens, await RegistryProcess.StartAsync(tokens.AuthYaml(certificate)));
    }

    [Fact]
    public async Task BasicAuthPushesAndPullsWithStoredCredentials()
    {
        await using var registry = await StartHtpasswdRegistryAsync();
        var image = TestImage.Create();
        var source = new FileContentStore(temp.Combine("source"));
        await image.WriteToAsync(source);
        using var client = ClientWith(registry.Host);

        await client.PushAsync(source, image.ManifestDigest, registry.Host, "private/app", "v1");
        var pulled = await client.PullAsync(registry.Host, "private/app", "v1", new FileContentStore(temp.Combine("target")));

        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
    }

    [Fact]
    public async Task BasicAuthWithoutCredentialsSaysToLogIn()
    {
        await using var registry = await StartHtpasswdRegistryAsync();
        using var anonymous = ClientWith(registry.Host, password: null);
        using var wrong = ClientWith(registry.Host, password: "wrong");

        var noCredentials = await Assert.ThrowsAsync<RegistryException>(() =>
            anonymous.PullAsync(registry.Host, "private/app", "v1", new FileContentStore(temp.Combine("a"))));
        var refused = await Assert.ThrowsAsync<RegistryException>(() =>
            wrong.PullAsync(registry.Host, "private/app", "v1", new FileContentStore(temp.Combine("b"))));

        Assert.StartsWith("unauthorized:", noCredentials.Message);
        Assert.EndsWith($"run 'ashlar login {registry.Host}'", noCredentials.Message);
        Assert.Equal(HttpStatusCode.Unauthorized, noCredentials.StatusCode);
        Assert.Contains("refused the stored credentials", refused.Message);
    }

    [Fact]
    public async Task CredentialsKeptByAHelperAreNamedWhenTheRegistryAsks()
    {
        await using var registry = await StartHtpasswdRegistryAsync();
        var path = temp.Combine("helper", "config.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, "{\"auths\": {\"" + registry.Host + "\": {} }, \"credsStore\": \"desktop\"}");
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = new DockerConfig(path) });

        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PullAsync(registry.Host, "private/app", "v1", new FileContentStore(temp.Combine("target"))));

        Assert.StartsWith("unauthorized:", error.Message);
        Assert.Contains("docker-credential-desktop", error.Message);
        Assert.Contains($"run 'ashlar login {registry.Host}'", error.Message);
    }

    [Fact]
    public async Task LoginChecksTheCredentialsAgainstTheRegistry()
    {
        await using var registry = await StartHtpasswdRegistryAsync();
        using var client = ClientWith(registry.Host, password: null);

        await client.LoginAsync(registry.Host, new RegistryCredentials(User, Password));
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.LoginAsync(registry.Host, new RegistryCredentials(User, "nope")));

        Assert.Equal($"unauthorized: {registry.Host} refused the credentials of \"{User}\"", error.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheBearerTokenFlowPushesAndPullsAndCachesTokensPerScope(bool useAccessTokenField)
    {
        var (tokens, registry) = await StartTokenRegistryAsync(useAccessTokenField);
        using var _ = tokens;
        await using var __ = registry;
        var image = TestImage.Create();
        var source = new FileContentStore(temp.Combine("source"));
        await image.WriteToAsync(source);
        using var client = ClientWith(registry.Host);

        await client.PushAsync(source, image.ManifestDigest, registry.Host, "team/app", "v1");
        var pulled = await client.PullAsync(registry.Host, "team/app", "v1", new FileContentStore(temp.Combine("target")));
        var asked = tokens.Requests.Count;
        await client.PullAsync(registry.Host, "team/app", "v1", new FileContentStore(temp.Combine("again")));

        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.All(tokens.Requests, r => Assert.Equal(User, r.User));
        // Concurrent blob requests share one token per scope.
        Assert.Single(tokens.Requests, r => r.Scopes.SequenceEqual(["repository:team/app:pull,push"]));
        Assert.Single(tokens.Requests, r => r.Scopes.SequenceEqual(["repository:team/app:pull"]));
        Assert.Equal(asked, tokens.Requests.Count);
    }

    [Fact]
    public async Task ACrossRepositoryMountAsksForBothRepositoriesInOneToken()
    {
        var (tokens, registry) = await StartTokenRegistryAsync();
        using var _ = tokens;
        await using var __ = registry;
        var image = TestImage.Create();
        var source = new FileContentStore(temp.Combine("source"));
        await image.WriteToAsync(source);
        using var client = ClientWith(registry.Host);
        await client.PushAsync(source, image.ManifestDigest, registry.Host, "team/base", "v1");

        var events = new List<TransferProgress>();
        await client.PushAsync(source, image.ManifestDigest, registry.Host, "team/derived", "v1", mountFrom: "team/base",
            progress: new SynchronousProgress<TransferProgress>(events));

        Assert.All(events, e => Assert.Equal(TransferState.Mounted, e.State));
        Assert.Contains(tokens.Requests, r => r.Scopes.SequenceEqual(["repository:team/derived:pull,push", "repository:team/base:pull"]));
    }

    [Fact]
    public async Task TheTokenFlowSaysToLogInWhenAnonymousOrRefused()
    {
        var (tokens, registry) = await StartTokenRegistryAsync();
        using var _ = tokens;
        await using var __ = registry;
        using var anonymous = ClientWith(registry.Host, password: null);
        using var wrong = ClientWith(registry.Host, password: "wrong");

        var noAccess = await Assert.ThrowsAsync<RegistryException>(() =>
            anonymous.PullAsync(registry.Host, "team/app", "v1", new FileContentStore(temp.Combine("a"))));
        var refused = await Assert.ThrowsAsync<RegistryException>(() =>
            wrong.PullAsync(registry.Host, "team/app", "v1", new FileContentStore(temp.Combine("b"))));

        Assert.StartsWith("unauthorized:", noAccess.Message);
        Assert.EndsWith($"run 'ashlar login {registry.Host}'", noAccess.Message);
        Assert.Equal($"unauthorized: the token server for {registry.Host} refused the credentials of \"{User}\"; run 'ashlar login {registry.Host}'", refused.Message);
    }

    [Fact]
    public async Task LoginThroughATokenServerChecksTheCredentials()
    {
        var (tokens, registry) = await StartTokenRegistryAsync();
        using var _ = tokens;
        await using var __ = registry;
        using var client = ClientWith(registry.Host, password: null);

        await client.LoginAsync(registry.Host, new RegistryCredentials(User, Password));
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.LoginAsync(registry.Host, new RegistryCredentials(User, "nope")));

        Assert.Contains("refused the credentials", error.Message);
        Assert.Contains(tokens.Requests, r => r.User == User);
    }

    public void Dispose() => temp.Dispose();
}
