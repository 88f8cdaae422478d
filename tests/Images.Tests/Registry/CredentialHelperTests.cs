using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Auth;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>
/// Credential helpers as docker runs them: a real <c>docker-credential-*</c> program (a shell script keeping one
/// JSON file per server) found on the helper path, for get, store and erase, and for pulls and pushes.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CredentialHelperTests : IDisposable
{
    readonly TempDirectory temp = new();

    // get prints the stored JSON or docker's not-found message; store keeps stdin by ServerURL; erase removes it.
    const string Script = """
        #!/bin/sh
        dir="$(dirname "$0")/store-$(basename "$0")"
        mkdir -p "$dir"
        echo "$1" >> "$dir/calls"
        key() { printf '%s' "$1" | tr '/:' '__'; }
        case "$1" in
          get) read -r server; f="$dir/$(key "$server")"
               if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          store) json=$(cat); server=$(printf '%s' "$json" | sed 's/.*"ServerURL":"\([^"]*\)".*/\1/')
                 printf '%s' "$json" > "$dir/$(key "$server")" ;;
          erase) read -r server; f="$dir/$(key "$server")"
                 if [ -f "$f" ]; then rm "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
          *) echo "unknown action $1" >&2; exit 2 ;;
        esac
        """;

    string Helpers => temp.Combine("bin");

    void InstallHelper(string name, string script = Script)
    {
        Directory.CreateDirectory(Helpers);
        var path = Path.Combine(Helpers, "docker-credential-" + name);
        File.WriteAllText(path, script);
        File.SetUnixFileMode(path, (UnixFileMode)0x1ed);
    }

    DockerConfig Config(string json)
    {
        var path = temp.Combine("config.json");
        File.WriteAllText(path, json);
        return new DockerConfig(path) { HelperSearchPath = Helpers };
    }

    void Stored(string helper, string server, string username, string secret)
    {
        var directory = Path.Combine(Helpers, "store-docker-credential-" + helper);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, server.Replace('/', '_').Replace(':', '_')),
            $$"""{"ServerURL":"{{server}}","Username":"{{username}}","Secret":"{{secret}}"}""");
    }

    [Fact]
    public void TheCredsStoreAndPerHostHelpersAnswerGet()
    {
        InstallHelper("store");
        InstallHelper("gcloud");
        Stored("store", "https://index.docker.io/v1/", "hub-user", "hub-secret");
        Stored("store", "127.0.0.1:5000", "<token>", "refresh-token");
        Stored("gcloud", "gcr.io", "oauth2accesstoken", "gcr-secret");
        var config = Config("""{"auths": {"docker.io": {}}, "credsStore": "store", "credHelpers": {"gcr.io": "gcloud"}}""");

        Assert.Equal(new RegistryCredentials("hub-user", "hub-secret"), config.Find("docker.io"));
        Assert.Equal(new RegistryCredentials("", "", "refresh-token"), config.Find("127.0.0.1:5000"));
        Assert.Equal(new RegistryCredentials("oauth2accesstoken", "gcr-secret"), config.Find("gcr.io"));
        Assert.Null(config.Find("quay.io")); // the store has nothing: anonymous
    }

    [Fact]
    public void TheFileEntryIsTheFallbackWhenTheHelperHasNothing()
    {
        InstallHelper("store");
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes("file-user:file-pw"));
        var config = Config($$$"""{"auths": {"ghcr.io": {"auth": "{{{auth}}}"}}, "credsStore": "store"}""");

        Assert.Equal(new RegistryCredentials("file-user", "file-pw"), config.Find("ghcr.io"));
    }

    [Fact]
    public void LoginStoresInTheHelperAndLogoutErasesThere()
    {
        InstallHelper("store");
        var config = Config("""{"credsStore": "store", "experimental": "keep-me"}""");

        var where = config.Save("127.0.0.1:5000", new RegistryCredentials("alice", "pw"));

        Assert.Equal("docker-credential-store", where);
        Assert.Equal(new RegistryCredentials("alice", "pw"), config.Find("127.0.0.1:5000"));
        var file = File.ReadAllText(config.Path);
        Assert.DoesNotContain("pw", file.Replace("experimental", ""));
        Assert.Contains("\"127.0.0.1:5000\": {}", file);
        Assert.Contains("keep-me", file);

        Assert.True(config.Remove("127.0.0.1:5000"));
        Assert.Null(config.Find("127.0.0.1:5000"));
        Assert.DoesNotContain("127.0.0.1:5000", File.ReadAllText(config.Path));
        Assert.False(config.Remove("127.0.0.1:5000"));
        Assert.Contains("erase", File.ReadAllText(Path.Combine(Helpers, "store-docker-credential-store", "calls")));
    }

    [Fact]
    public void AMissingHelperIsNamedWithWhereItIsConfigured()
    {
        Directory.CreateDirectory(Helpers);
        var config = Config("""{"credHelpers": {"gcr.io": "absent"}}""");

        var error = Assert.Throws<RegistryException>(() => config.Find("gcr.io"));

        Assert.Contains("docker-credential-absent", error.Message);
        Assert.Contains("was not found on PATH", error.Message);
        Assert.Contains($"credHelpers[\"gcr.io\"] in {config.Path}", error.Message);
    }

    [Fact]
    public void AFailingHelperIsNamedWithWhatItSaid()
    {
        InstallHelper("broken", "#!/bin/sh\necho 'keychain is locked' >&2\nexit 3\n");
        var config = Config("""{"credsStore": "broken"}""");

        var error = Assert.Throws<RegistryException>(() => config.Find("ghcr.io"));

        Assert.Contains("docker-credential-broken", error.Message);
        Assert.Contains("exit code 3", error.Message);
        Assert.Contains("keychain is locked", error.Message);
    }

    [Fact]
    public async Task PushAndPullUseTheHelpersCredentials()
    {
        const string user = "alice", password = "helper-Pa55";
        var htpasswd = temp.Combine("htpasswd");
        await File.WriteAllTextAsync(htpasswd, $"{user}:{BCrypt.Net.BCrypt.HashPassword(password, workFactor: 5)}\n");
        await using var registry = await RegistryProcess.StartAsync($"""
            auth:
              htpasswd:
                realm: ashlar-test
                path: {htpasswd}
            """);
        InstallHelper("store");
        Stored("store", registry.Host, user, password);
        var config = Config("""{"credsStore": "store"}""");
        var image = TestImage.Create();
        var source = new FileContentStore(temp.Combine("source"));
        await image.WriteToAsync(source);
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = config, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

        await client.PushAsync(source, image.ManifestDigest, registry.Host, "private/app", "v1");
        var pulled = await client.PullAsync(registry.Host, "private/app", "v1", new FileContentStore(temp.Combine("target")));

        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Contains("get", File.ReadAllText(Path.Combine(Helpers, "store-docker-credential-store", "calls")));
    }

    public void Dispose() => temp.Dispose();
}
