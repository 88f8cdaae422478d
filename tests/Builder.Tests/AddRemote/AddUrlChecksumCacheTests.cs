using System.Security.Cryptography;
using System.Text;
using Ashlar.Builder.Tests.Cache;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.AddRemote;

/// <summary>
/// <c>ADD --checksum</c> of a URL is keyed by the checksum, so the lookup comes before any download and a hit
/// downloads nothing. Without a checksum the content is the key: a server that sends an ETag is asked with a
/// conditional HEAD (as BuildKit does) and a "not modified" hits without a download; else each build downloads.
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
    public async Task Without_a_checksum_an_etag_the_server_says_is_unchanged_hits_without_a_download()
    {
        var marker = CacheOutcome.Unique();
        _server.Serve($"{marker}/f", Encoding.UTF8.GetBytes("v1 " + marker), etag: "\"v1\"");
        var dockerfile = $"FROM scratch\nADD {_server.BaseUrl}{marker}/f /f\n";

        Assert.Equal("R", (await fixture.BuildAsync(dockerfile)).Pattern());
        Assert.Equal((1, 1), (_server.Requests($"{marker}/f"), _server.Gets($"{marker}/f"))); // downloaded once, for the key and the copy
        Assert.Equal("C", (await fixture.BuildAsync(dockerfile)).Pattern());
        Assert.Equal((2, 1), (_server.Requests($"{marker}/f"), _server.Gets($"{marker}/f"))); // a HEAD answered 304

        // Unchanged content for a step that misses (another destination) is downloaded and checked against the key.
        var elsewhere = await fixture.FilesAsync(fixture.Request($"FROM scratch\nADD {_server.BaseUrl}{marker}/f /g\n"));
        Assert.Equal("v1 " + marker, File.ReadAllText(Path.Combine(elsewhere, "g")));
        Assert.Equal((4, 2), (_server.Requests($"{marker}/f"), _server.Gets($"{marker}/f")));

        // New content with a new ETag: the HEAD says so, the download keys it, and the copy uses that download.
        _server.Serve($"{marker}/f", Encoding.UTF8.GetBytes("v2 " + marker), etag: "\"v2\"");
        var changed = await fixture.BuildAsync(dockerfile);
        Assert.Equal("R", changed.Pattern());
        Assert.Equal((6, 3), (_server.Requests($"{marker}/f"), _server.Gets($"{marker}/f")));
        var files = await fixture.FilesAsync(fixture.Request(dockerfile));
        Assert.Equal("v2 " + marker, File.ReadAllText(Path.Combine(files, "f")));
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
