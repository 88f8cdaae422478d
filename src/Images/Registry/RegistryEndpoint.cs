using System.Net;

namespace Ashlar.Images.Registry;

/// <summary>
/// Where a registry host is reached: HTTPS by default, plain HTTP only for loopback hosts and hosts the user
/// named as insecure. <c>docker.io</c> is served by <c>registry-1.docker.io</c>.
/// </summary>
internal sealed record RegistryEndpoint(string Host, Uri BaseUri)
{
    /// <summary>The environment variable with extra insecure hosts, comma separated (like <c>--insecure-registry</c>).</summary>
    public const string InsecureRegistriesVariable = "ASHLAR_INSECURE_REGISTRIES";

    public static RegistryEndpoint For(string host, IReadOnlyCollection<string> insecureRegistries)
    {
        if (string.IsNullOrWhiteSpace(host))
            throw new ArgumentException("a registry host is required", nameof(host));
        var target = host is "docker.io" or "index.docker.io" ? "registry-1.docker.io" : host;
        var scheme = IsLoopback(host) || IsListed(host, insecureRegistries) ? "http" : "https";
        if (!Uri.TryCreate($"{scheme}://{target}/", UriKind.Absolute, out var uri))
            throw new ArgumentException($"invalid registry host \"{host}\"", nameof(host));
        return new RegistryEndpoint(host, uri);
    }

    /// <summary>The URI of a path below <c>/v2/</c>, e.g. <c>library/busybox/manifests/latest</c>.</summary>
    public Uri V2(string path) => new(BaseUri, "v2/" + path);

    static bool IsListed(string host, IReadOnlyCollection<string> insecureRegistries)
    {
        var fromEnvironment = (Environment.GetEnvironmentVariable(InsecureRegistriesVariable) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return insecureRegistries.Concat(fromEnvironment)
            .Any(listed => string.Equals(listed, host, StringComparison.OrdinalIgnoreCase)
                        || string.Equals(listed, HostWithoutPort(host), StringComparison.OrdinalIgnoreCase));
    }

    internal static bool IsLoopback(string host)
    {
        var name = HostWithoutPort(host);
        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary><c>127.0.0.1:5000</c> -> <c>127.0.0.1</c>, <c>[::1]:5000</c> -> <c>::1</c>.</summary>
    static string HostWithoutPort(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']');
            return close > 0 ? host[1..close] : host;
        }
        var colon = host.LastIndexOf(':');
        return colon > 0 && host.IndexOf(':') == colon ? host[..colon] : host;
    }
}
