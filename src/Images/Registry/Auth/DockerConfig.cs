using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ashlar.Images.Registry.Auth;

/// <summary>
/// Credentials in docker's <c>config.json</c> (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>):
/// the <c>auths</c> map of host to base64 <c>user:password</c>, which <c>docker login</c> and <c>ashlar login</c> both write,
/// and credential helpers as docker runs them: <c>credHelpers[host]</c>, else <c>credsStore</c>, is the program
/// <c>docker-credential-NAME</c> asked first (its identity tokens included); the file's own entry is the fallback.
/// With a helper configured, logging in stores there and logging out erases there. Every other field of the file is
/// kept as it is when the file is rewritten.
/// </summary>
public sealed class DockerConfig : IRegistryCredentialSource
{
    const string DockerHubKey = "https://index.docker.io/v1/";

    /// <summary>A config file at <paramref name="path"/> (it need not exist yet).</summary>
    public DockerConfig(string path) => Path = path;

    /// <summary>The file this reads and writes.</summary>
    public string Path { get; }

    /// <summary>Where credential helpers are looked for (PATH syntax); null: the PATH of this process.</summary>
    internal string? HelperSearchPath { get; init; }

    /// <summary>The config docker itself would use: <c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>.</summary>
    public static DockerConfig Default()
    {
        var directory = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(directory))
            directory = System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify), ".docker");
        return new DockerConfig(System.IO.Path.Combine(directory, "config.json"));
    }

    /// <inheritdoc />
    public RegistryCredentials? Find(string registryHost)
    {
        var root = Read();
        if (root is null) return null;
        var host = NormaliseHost(registryHost);

        if (HelperFor(root, host) is { } helper && helper.Get(KeyFor(registryHost)) is { } stored)
            return stored;
        if (root["auths"] is JsonObject auths)
        {
            foreach (var (key, value) in auths)
            {
                if (NormaliseHost(key) != host || value is not JsonObject entry) continue;
                var credentials = Decode(entry, key);
                if (credentials is not null) return credentials;
            }
        }
        return null;
    }

    /// <summary>
    /// Stores credentials for a host: in its credential helper when one is configured (the file then keeps an empty
    /// <c>auths</c> entry, as docker's does), else in <c>auths</c>, creating the file (mode 0600) when needed.
    /// Returns where they went: the helper's program name or the file's path.
    /// </summary>
    public string Save(string registryHost, RegistryCredentials credentials)
    {
        var root = Read() ?? new JsonObject();
        if (root["auths"] is not JsonObject auths)
            root["auths"] = auths = new JsonObject();
        RemoveEntries(auths, registryHost);
        if (HelperFor(root, NormaliseHost(registryHost)) is { } helper)
        {
            helper.Store(KeyFor(registryHost), credentials);
            auths[KeyFor(registryHost)] = new JsonObject();
            Write(root);
            return helper.Program;
        }
        var entry = new JsonObject
        {
            ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.Username}:{credentials.Password}")),
        };
        if (credentials.IdentityToken is not null) entry["identitytoken"] = credentials.IdentityToken;
        auths[KeyFor(registryHost)] = entry;
        Write(root);
        return Path;
    }

    /// <summary>Forgets a host's credentials, in its credential helper too; returns whether there were any.</summary>
    public bool Remove(string registryHost)
    {
        var root = Read();
        if (root is null) return false;
        var erased = HelperFor(root, NormaliseHost(registryHost))?.Erase(KeyFor(registryHost)) ?? false;
        if (root["auths"] is not JsonObject auths || !RemoveEntries(auths, registryHost)) return erased;
        Write(root);
        return true;
    }

    /// <summary>The helper for a host: its <c>credHelpers</c> entry, else the <c>credsStore</c>; null when neither is set.</summary>
    DockerConfigCredentialHelper? HelperFor(JsonObject root, string host)
    {
        foreach (var (key, value) in root["credHelpers"] as JsonObject ?? [])
            if (NormaliseHost(key) == host && value is JsonValue v && v.TryGetValue<string>(out var name) && name.Length > 0)
                return new DockerConfigCredentialHelper(name, $"credHelpers[\"{key}\"] in {Path}", HelperSearchPath);
        return root["credsStore"] is JsonValue store && store.TryGetValue<string>(out var storeName) && storeName.Length > 0
            ? new DockerConfigCredentialHelper(storeName, $"credsStore in {Path}", HelperSearchPath)
            : null;
    }

    static bool RemoveEntries(JsonObject auths, string registryHost)
    {
        var host = NormaliseHost(registryHost);
        var keys = auths.Select(pair => pair.Key).Where(key => NormaliseHost(key) == host).ToList();
        foreach (var key in keys) auths.Remove(key);
        return keys.Count > 0;
    }

    RegistryCredentials? Decode(JsonObject entry, string key)
    {
        var identityToken = (entry["identitytoken"] as JsonValue)?.GetValue<string>();
        var auth = (entry["auth"] as JsonValue)?.GetValue<string>();
        string username, password;
        if (!string.IsNullOrEmpty(auth))
        {
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
            }
            catch (FormatException)
            {
                throw new RegistryException($"{Path}: auths[\"{key}\"].auth is not valid base64");
            }
            var colon = decoded.IndexOf(':');
            if (colon < 0) throw new RegistryException($"{Path}: auths[\"{key}\"].auth must encode \"user:password\"");
            (username, password) = (decoded[..colon], decoded[(colon + 1)..]);
        }
        else
        {
            username = (entry["username"] as JsonValue)?.GetValue<string>() ?? "";
            password = (entry["password"] as JsonValue)?.GetValue<string>() ?? "";
            if (username.Length == 0 && identityToken is null) return null;
        }
        return new RegistryCredentials(username, password, string.IsNullOrEmpty(identityToken) ? null : identityToken);
    }

    JsonObject? Read()
    {
        if (!File.Exists(Path)) return null;
        try
        {
            return JsonNode.Parse(File.ReadAllBytes(Path)) as JsonObject
                   ?? throw new RegistryException($"{Path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new RegistryException($"{Path}: not valid JSON (line {e.LineNumber + 1}): {e.Message}", inner: e);
        }
    }

    // Written beside the target and renamed over it, so a crash never leaves a half-written file; 0600 since it holds secrets.
    void Write(JsonObject root)
    {
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("ashlar writes config.json on Linux only");
        const UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(Path))!;
        Directory.CreateDirectory(directory, owner | UnixFileMode.UserExecute);
        var temporary = System.IO.Path.Combine(directory, $".config.json.{Environment.ProcessId}.tmp");
        using (var file = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = owner }))
        using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            root.WriteTo(writer);
        }
        // The umask may have narrowed the mode, never widened it; set it exactly anyway (an old file may be 0644).
        File.SetUnixFileMode(temporary, owner);
        File.Move(temporary, Path, overwrite: true);
    }

    /// <summary>docker writes Docker Hub as its v1 index URL; every other host as itself.</summary>
    static string KeyFor(string registryHost) => NormaliseHost(registryHost) == "docker.io" ? DockerHubKey : registryHost;

    /// <summary><c>https://index.docker.io/v1/</c> -> <c>docker.io</c>, <c>http://host:5000/path</c> -> <c>host:5000</c>.</summary>
    internal static string NormaliseHost(string key)
    {
        var host = key;
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        var slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? "docker.io" : host;
    }
}
