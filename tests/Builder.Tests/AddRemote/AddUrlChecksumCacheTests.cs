using System.Security.Cryptography;
using System.Text;
using Ashlar.Builder.Tests.Cache;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.AddRemote;

/// <summary>
/// <c>ADD --checksum</c> of a URL is keyed by the checksum, so the lookup comes before any download and a hit
/// downloads nothing; without a checksum the content is the key, so each build downloads it (as BuildKit does).
/// </summary>
public sealed class AddUrlChecksumCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>, IDisposable
{
    private readonly CountingHttpServer _server = new();

    public void Dispose() => _server.Dispose();

    private static string Sha256(byte[] content) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));

    [Fact]
    public async Task A_checksummed_url_hits_without_a_request()
    {
        var marker = CacheOutcome.Unique();
        var content = Encoding.UTF8.GetBytes("tool " + marker + "\n");
        _server.Serve($"{marker}/tool.sh", content);
        var dockerfile = $"FROM scratch\nADD --checksum={Sha256(content)} {_server.BaseUrl}{marker}/tool.sh /bin/\n";

        var first = await fixture.BuildAsync(dockerfile);
        Assert.Equal("R", first.Pattern());
        Assert.Equal(1, _server.Requests($"{marker}/tool.sh"));

        var again = await fixture.BuildAsync(dockerfile);
        Assert.Equal("C", again.Pattern());
        Assert.Equal(first.Result.ImageDigest, again.Result.ImageDigest);
        Assert.Equal(1, _server.Requests($"{marker}/tool.sh"));
        var files = await fixture.FilesAsync(fixture.Request(dockerfile));
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(files, "bin/tool.sh")));
        Assert.Equal(1, _server.Requests($"{marker}/tool.sh"));
    }

    [Fact]
    public async Task Another_checksum_misses_and_a_wrong_one_fails_after_the_download()
    {
        var marker = CacheOutcome.Unique();
        var one = Encoding.UTF8.GetBytes("one " + marker);
        var two = Encoding.UTF8.GetBytes("two " + marker);
        _server.Serve($"{marker}/f", one);
        var url = $"{_server.BaseUrl}{marker}/f";
        Assert.Equal("R", (await fixture.BuildAsync($"FROM scratch\nADD --checksum={Sha256(one)} {url} /f\n")).Pattern());

        // The server now has other content: a build that pins it downloads and gets it, one that pins the old misses
        // nothing (it hits) and one pinning a checksum nobody serves fails naming both digests.
        _server.Serve($"{marker}/f", two);
        var pinnedNew = await fixture.BuildAsync($"FROM scratch\nADD --checksum={Sha256(two)} {url} /f\n");
        Assert.Equal("R", pinnedNew.Pattern());
        Assert.Equal("C", (await fixture.BuildAsync($"FROM scratch\nADD --checksum={Sha256(one)} {url} /f\n")).Pattern());
        Assert.Equal(2, _server.Requests($"{marker}/f"));

        var wrong = Sha256(Encoding.UTF8.GetBytes("nobody serves this"));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.BuildAsync($"FROM scratch\nADD --checksum={wrong} {url} /f\n"));
        Assert.Contains($"checksum mismatch: --checksum is {wrong}", error.Message);
    }

    [Fact]
    public async Task A_bad_checksum_is_refused_before_any_request()
    {
        var marker = CacheOutcome.Unique();
        _server.Serve($"{marker}/f", [1]);
        var error = await Assert.ThrowsAsync<BuildException>(() => fixture.BuildAsync($"FROM scratch\nADD --checksum=md5:abc {_server.BaseUrl}{marker}/f /f\n"));
        Assert.Contains("--checksum=md5:abc", error.Message);
        Assert.True(error.IsInputError);
        Assert.Equal(0, _server.Requests($"{marker}/f"));
    }

    [Fact]
    public async Task Without_a_checksum_each_build_downloads_and_the_content_is_the_key()
    {
        var marker = CacheOutcome.Unique();
        _server.Serve($"{marker}/f", Encoding.UTF8.GetBytes("v1 " + marker));
        var dockerfile = $"FROM scratch\nADD {_server.BaseUrl}{marker}/f /f\n";
        Assert.Equal("R", (await fixture.BuildAsync(dockerfile)).Pattern());
        Assert.Equal("C", (await fixture.BuildAsync(dockerfile)).Pattern());
        Assert.Equal(2, _server.Requests($"{marker}/f"));
        _server.Serve($"{marker}/f", Encoding.UTF8.GetBytes("v2 " + marker));
        Assert.Equal("R", (await fixture.BuildAsync(dockerfile)).Pattern());
    }
}
