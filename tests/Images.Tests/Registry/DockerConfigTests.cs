using System.Text;
using System.Text.Json.Nodes;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Auth;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>docker's config.json as docker writes it, read and rewritten without losing anything.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class DockerConfigTests : IDisposable
{
    readonly TempDirectory temp = new();

    DockerConfig WithFile(string json)
    {
        var path = temp.Combine("config.json");
        File.WriteAllText(path, json);
        return new DockerConfig(path);
    }

    static string Auth(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void ReadsTheBase64AuthFieldWhateverFormTheKeyTakes()
    {
        var config = WithFile($$$"""
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "{{{Auth("hub:pw")}}}"},
              "http://127.0.0.1:5000/v2/": {"auth": "{{{Auth("local:p:with:colons")}}}"},
              "ghcr.io": {"auth": "{{{Auth("gh:tok")}}}", "identitytoken": "refresh-me"}
            }}
            """);

        Assert.Equal(new RegistryCredentials("hub", "pw"), config.Find("docker.io"));
        Assert.Equal(new RegistryCredentials("local", "p:with:colons"), config.Find("127.0.0.1:5000"));
        Assert.Equal(new RegistryCredentials("gh", "tok", "refresh-me"), config.Find("ghcr.io"));
        Assert.Null(config.Find("quay.io"));
        Assert.Null(new DockerConfig(temp.Combine("missing.json")).Find("docker.io"));
    }

    [Fact]
    public void BadContentIsReportedWithTheFile()
    {
        var notJson = WithFile("{\"auths\": ");
        var error = Assert.Throws<RegistryException>(() => notJson.Find("docker.io"));
        Assert.StartsWith(notJson.Path, error.Message);

        var badAuth = WithFile("""{"auths": {"docker.io": {"auth": "%%%"}}}""");
        Assert.Contains("auths[\"docker.io\"].auth is not valid base64", Assert.Throws<RegistryException>(() => badAuth.Find("docker.io")).Message);
    }

    [Fact]
    public void SaveWritesMode0600AndKeepsEveryOtherField()
    {
        var config = WithFile($$$"""{"auths": {"quay.io": {"auth": "{{{Auth("q:1")}}}"}}, "psFormat": "table {{.ID}}", "proxies": {"default": {"httpProxy": "x"} } }""");
        File.SetUnixFileMode(config.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        config.Save("127.0.0.1:5000", new RegistryCredentials("me", "secret"));
        config.Save("docker.io", new RegistryCredentials("hub", "pw"));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config.Path));
        var json = JsonNode.Parse(File.ReadAllText(config.Path))!;
        Assert.Equal("table {{.ID}}", (string?)json["psFormat"]);
        Assert.Equal("x", (string?)json["proxies"]!["default"]!["httpProxy"]);
        Assert.Equal(Auth("me:secret"), (string?)json["auths"]!["127.0.0.1:5000"]!["auth"]);
        Assert.Equal(Auth("hub:pw"), (string?)json["auths"]!["https://index.docker.io/v1/"]!["auth"]);
        Assert.Equal(new RegistryCredentials("q", "1"), config.Find("quay.io"));
    }

    [Fact]
    public void SaveCreatesThePrivateDirectoryAndRemoveForgetsEveryFormOfTheHost()
    {
        var config = new DockerConfig(temp.Combine("fresh", ".docker", "config.json"));

        config.Save("docker.io", new RegistryCredentials("hub", "pw"));
        var removed = config.Remove("index.docker.io");
        var again = config.Remove("docker.io");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
            File.GetUnixFileMode(Path.GetDirectoryName(config.Path)!));
        Assert.True(removed);
        Assert.False(again);
        Assert.Null(config.Find("docker.io"));
    }

    public void Dispose() => temp.Dispose();
}
