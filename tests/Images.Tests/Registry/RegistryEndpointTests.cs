using Ashlar.Images.Registry;

namespace Ashlar.Images.Tests.Registry;

public sealed class RegistryEndpointTests
{
    [Theory]
    [InlineData("127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData("localhost:5000", "http://localhost:5000/")]
    [InlineData("localhost", "http://localhost/")]
    [InlineData("[::1]:5000", "http://[::1]:5000/")]
    [InlineData("127.1.2.3", "http://127.1.2.3/")]
    [InlineData("ghcr.io", "https://ghcr.io/")]
    [InlineData("10.0.0.5:5000", "https://10.0.0.5:5000/")]
    [InlineData("docker.io", "https://registry-1.docker.io/")]
    public void PlainHttpOnlyForLoopback(string host, string expected)
    {
        Assert.Equal(expected, RegistryEndpoint.For(host, []).BaseUri.ToString());
    }

    [Fact]
    public void InsecureRegistriesGetPlainHttpByHostOrHostAndPort()
    {
        Assert.Equal("http", RegistryEndpoint.For("registry.lan:5000", ["registry.lan:5000"]).BaseUri.Scheme);
        Assert.Equal("http", RegistryEndpoint.For("registry.lan:5000", ["registry.lan"]).BaseUri.Scheme);
        Assert.Equal("https", RegistryEndpoint.For("other.lan:5000", ["registry.lan"]).BaseUri.Scheme);
    }

    [Fact]
    public void PathsAreBelowV2()
    {
        var endpoint = RegistryEndpoint.For("127.0.0.1:5000", []);

        Assert.Equal("http://127.0.0.1:5000/v2/library/busybox/manifests/latest", endpoint.V2("library/busybox/manifests/latest").ToString());
    }
}
