using System.Net;
using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Registry;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>What a registry serves is checked: wrong blobs are refused and leave nothing behind, bad manifests are named.</summary>
public sealed class BadContentTests : IDisposable
{
    readonly TempDirectory temp = new();

    static RegistryClient Client() => new(new RegistryClientOptions { Credentials = null, RetryBaseDelay = TimeSpan.FromMilliseconds(10) });

    [Fact]
    public async Task ABlobTamperedWithInTheRegistrysStorageIsRefusedAndNothingIsStored()
    {
        await using var registry = await RegistryProcess.StartAsync();
        var image = TestImage.Create(layerCount: 1);
        var source = new FileContentStore(temp.Combine("source"));
        await image.WriteToAsync(source);
        using var client = Client();
        await client.PushAsync(source, image.ManifestDigest, registry.Host, "tampered/image", "v1");

        // Flip one byte of the layer where the registry keeps it; it serves blobs from disk without checking them.
        var layer = image.LayerDigests.Single();
        var data = Path.Combine(registry.StorageRoot, "docker", "registry", "v2", "blobs", "sha256", layer.Hex[..2], layer.Hex, "data");
        var bytes = await File.ReadAllBytesAsync(data);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(data, bytes);

        var target = new FileContentStore(temp.Combine("target"));
        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PullAsync(registry.Host, "tampered/image", "v1", target));

        Assert.Equal("DIGEST_INVALID", error.Code);
        Assert.Contains(layer.ToString(), error.Message);
        Assert.Contains("nothing was stored", error.Message);
        Assert.False(target.Exists(layer));
        Assert.False(target.Exists(image.ManifestDigest));
    }

    [Fact]
    public async Task AWrongBlobFromAServerIsRefusedAndTheStoreStaysEmpty()
    {
        var image = TestImage.Create(layerCount: 1);
        var layer = image.Layers[0];
        var wrong = layer.ToArray();
        wrong[10] ^= 0x01;
        using var server = new FakeRegistry((context, _) => context.Request.Url!.AbsolutePath switch
        {
            var p when p.EndsWith("/manifests/v1") => FakeRegistry.WriteAsync(context, image.Manifest, image.MediaType),
            var p when p.EndsWith(image.ConfigDigest.ToString()) => FakeRegistry.WriteAsync(context, image.Config),
            var p when p.Contains("/blobs/") => FakeRegistry.WriteAsync(context, wrong),
            _ => FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.NotFound),
        });
        var target = new FileContentStore(temp.Combine("target"));
        using var client = Client();

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PullAsync(server.Host, "bad/blob", "v1", target));

        Assert.Equal("DIGEST_INVALID", error.Code);
        Assert.DoesNotContain(target.List(), d => d != image.ConfigDigest);
        Assert.False(target.Exists(image.ManifestDigest));
    }

    [Fact]
    public async Task FiveHundredsAndDroppedConnectionsAreRetried()
    {
        var image = TestImage.Create(layerCount: 1);
        var layerPath = $"/v2/flaky/image/blobs/{image.LayerDigests.Single()}";
        using var server = new FakeRegistry(async (context, before) =>
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path.EndsWith("/manifests/v1"))
            {
                if (before < 2) await FakeRegistry.WriteAsync(context, "{\"errors\":[]}"u8.ToArray(), status: HttpStatusCode.ServiceUnavailable);
                else await FakeRegistry.WriteAsync(context, image.Manifest, image.MediaType);
            }
            else if (path == layerPath && before == 0)
            {
                // Half the body, then a reset: the download starts again.
                context.Response.ContentLength64 = image.Layers[0].Length;
                await context.Response.OutputStream.WriteAsync(image.Layers[0].AsMemory(0, image.Layers[0].Length / 2));
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
            }
            else if (path == layerPath) await FakeRegistry.WriteAsync(context, image.Layers[0]);
            else if (path.EndsWith(image.ConfigDigest.ToString())) await FakeRegistry.WriteAsync(context, image.Config);
            else await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.NotFound);
        });
        var target = new FileContentStore(temp.Combine("target"));
        using var client = Client();

        var pulled = await client.PullAsync(server.Host, "flaky/image", "v1", target);

        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(3, server.Hits("/v2/flaky/image/manifests/v1"));
        Assert.Equal(2, server.Hits(layerPath));
        Assert.True(target.Exists(image.LayerDigests.Single()));
    }

    [Fact]
    public async Task ABrokenDownloadResumesWhereItStoppedWithARangeRequest()
    {
        var image = TestImage.Create(layerCount: 1, layerSize: 256 * 1024);
        var layer = image.Layers[0];
        var layerPath = $"/v2/resume/image/blobs/{image.LayerDigests.Single()}";
        const int cut = 100_000;
        string? rangeAsked = null;
        using var server = new FakeRegistry(async (context, before) =>
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path.EndsWith("/manifests/v1")) await FakeRegistry.WriteAsync(context, image.Manifest, image.MediaType);
            else if (path.EndsWith(image.ConfigDigest.ToString())) await FakeRegistry.WriteAsync(context, image.Config);
            else if (path == layerPath && before == 0)
            {
                context.Response.ContentLength64 = layer.Length;
                await context.Response.OutputStream.WriteAsync(layer.AsMemory(0, cut));
                await context.Response.OutputStream.FlushAsync();
                context.Response.Abort();
            }
            else if (path == layerPath)
            {
                rangeAsked = context.Request.Headers["Range"];
                var from = int.Parse(rangeAsked!["bytes=".Length..].TrimEnd('-'));
                context.Response.AddHeader("Content-Range", $"bytes {from}-{layer.Length - 1}/{layer.Length}");
                await FakeRegistry.WriteAsync(context, layer[from..], status: HttpStatusCode.PartialContent);
            }
            else await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.NotFound);
        });
        var target = new FileContentStore(temp.Combine("target"));
        using var client = Client();

        await client.PullAsync(server.Host, "resume/image", "v1", target);

        // Up to the cut arrived (a reset may drop the last unread bytes): the rest was asked for, not the whole blob again.
        Assert.Matches("^bytes=[0-9]+-$", rangeAsked);
        Assert.InRange(long.Parse(rangeAsked!["bytes=".Length..^1]), 1, cut);
        Assert.Equal(2, server.Hits(layerPath));
        await using var stored = target.OpenRead(image.LayerDigests.Single());
        Assert.Equal(layer.Length, stored.Length);
    }

    [Fact]
    public async Task AStalledDownloadIsResumed()
    {
        var image = TestImage.Create(layerCount: 1, layerSize: 64 * 1024);
        var layer = image.Layers[0];
        var layerPath = $"/v2/stall/image/blobs/{image.LayerDigests.Single()}";
        using var stalled = new CancellationTokenSource();
        using var server = new FakeRegistry(async (context, before) =>
        {
            var path = context.Request.Url!.AbsolutePath;
            if (path.EndsWith("/manifests/v1")) await FakeRegistry.WriteAsync(context, image.Manifest, image.MediaType);
            else if (path.EndsWith(image.ConfigDigest.ToString())) await FakeRegistry.WriteAsync(context, image.Config);
            else if (path == layerPath && before == 0)
            {
                context.Response.ContentLength64 = layer.Length;
                await context.Response.OutputStream.WriteAsync(layer.AsMemory(0, 1000));
                await context.Response.OutputStream.FlushAsync();
                // Then nothing more, until the test is over.
                try { await Task.Delay(Timeout.Infinite, stalled.Token); } catch (OperationCanceledException) { }
                context.Response.Abort();
            }
            else if (path == layerPath) await FakeRegistry.WriteAsync(context, layer);
            else await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.NotFound);
        });
        using var client = new RegistryClient(new RegistryClientOptions
        {
            Credentials = null, StallTimeout = TimeSpan.FromMilliseconds(300), RetryBaseDelay = TimeSpan.FromMilliseconds(1),
        });
        var target = new FileContentStore(temp.Combine("target"));

        await client.PullAsync(server.Host, "stall/image", "v1", target);
        stalled.Cancel();

        Assert.Equal(2, server.Hits(layerPath));
        Assert.True(target.Exists(image.LayerDigests.Single()));
    }

    [Fact]
    public async Task RetriesAreBounded()
    {
        using var server = new FakeRegistry((context, _) => FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.BadGateway));
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null, MaxRetries = 2, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });

        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PullAsync(server.Host, "down/image", "v1", new FileContentStore(temp.Combine("target"))));

        Assert.Equal(3, server.Hits("/v2/down/image/manifests/v1"));
        Assert.Contains("502", error.Message);
    }

    [Theory]
    [InlineData("{not json", "application/vnd.oci.image.manifest.v1+json", "malformed manifest for {0}: not valid JSON")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/x-surprise\"}", "application/x-surprise", "unsupported manifest for {0}: unknown media type \"application/x-surprise\"")]
    [InlineData("{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}", "application/vnd.docker.distribution.manifest.v1+prettyjws", "unsupported manifest for {0}: Docker schema 1")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}", "application/vnd.oci.image.manifest.v1+json", "malformed manifest for {0}: it has no config")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"digest\":\"sha256:zz\",\"size\":1},\"layers\":[]}", "application/vnd.oci.image.manifest.v1+json", "malformed manifest for {0}: config has an invalid digest")]
    public async Task ABadManifestGivesAnErrorNamingTheReference(string body, string contentType, string expected)
    {
        using var server = new FakeRegistry((context, _) => FakeRegistry.WriteAsync(context, Encoding.UTF8.GetBytes(body), contentType));
        using var client = Client();

        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PullAsync(server.Host, "odd/image", "v1", new FileContentStore(temp.Combine("target"))));

        Assert.StartsWith(string.Format(expected, $"{server.Host}/odd/image:v1"), error.Message);
    }

    [Fact]
    public async Task AManifestThatDoesNotMatchTheDigestAskedForIsRefused()
    {
        var image = TestImage.Create(layerCount: 1);
        var other = TestImage.Create(layerCount: 1);
        using var server = new FakeRegistry((context, _) => FakeRegistry.WriteAsync(context, other.Manifest, other.MediaType));
        using var client = Client();

        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PullAsync(server.Host, "pinned/image", image.ManifestDigest.ToString(), new FileContentStore(temp.Combine("target"))));

        Assert.Equal("DIGEST_INVALID", error.Code);
        Assert.Contains(image.ManifestDigest.ToString(), error.Message);
    }

    public void Dispose() => temp.Dispose();
}
