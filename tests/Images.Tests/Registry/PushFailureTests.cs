using System.Net;
using Ashlar.Images.Content;
using Ashlar.Images.Registry;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>Uploads that fail part-way start again; refusals say what to do.</summary>
public sealed class PushFailureTests : IDisposable
{
    readonly TempDirectory temp = new();

    /// <summary>Just enough of the upload protocol: HEAD says absent, POST opens a session, PUT closes it.</summary>
    static Func<HttpListenerContext, int, Task> Uploads(Func<HttpListenerContext, int, Task<bool>> put) => async (context, before) =>
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        switch (request.HttpMethod)
        {
            case "HEAD":
                await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.NotFound);
                break;
            case "POST":
                context.Response.AddHeader("Location", $"/v2/upload/session-{Guid.NewGuid():N}?_state=x");
                await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.Accepted);
                break;
            case "PUT":
                await request.InputStream.CopyToAsync(Stream.Null);
                if (await put(context, before))
                    await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.Created);
                break;
            default:
                await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.MethodNotAllowed);
                break;
        }
    };

    [Fact]
    public async Task AnUploadThatFailsIsStartedAgain()
    {
        var image = TestImage.Create(layerCount: 1);
        var failed = 0;
        using var server = new FakeRegistry(Uploads(async (context, _) =>
        {
            // The first blob PUT of all fails with 503, as a registry behind a busy proxy might.
            if (context.Request.Url!.AbsolutePath.StartsWith("/v2/upload/") && Interlocked.Increment(ref failed) == 1)
            {
                await FakeRegistry.WriteAsync(context, [], status: HttpStatusCode.ServiceUnavailable);
                return false;
            }
            return true;
        }));
        var store = new FileContentStore(temp.Combine("store"));
        await image.WriteToAsync(store);
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null, RetryBaseDelay = TimeSpan.FromMilliseconds(1) });

        var pushed = await client.PushAsync(store, image.ManifestDigest, server.Host, "flaky/push", "v1");

        Assert.Equal(image.ManifestDigest, pushed.Digest);
        Assert.Equal(3, server.Hits("/v2/flaky/push/blobs/uploads/"));
        Assert.Equal(1, server.Hits("/v2/flaky/push/manifests/v1"));
    }

    [Fact]
    public async Task ARefusedManifestSaysDeniedAndWhatToDo()
    {
        var image = TestImage.Create(layerCount: 1);
        using var server = new FakeRegistry(Uploads(async (context, _) =>
        {
            if (!context.Request.Url!.AbsolutePath.Contains("/manifests/")) return true;
            await FakeRegistry.WriteAsync(context, """{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}"""u8.ToArray(),
                "application/json", HttpStatusCode.Forbidden);
            return false;
        }));
        var store = new FileContentStore(temp.Combine("store"));
        await image.WriteToAsync(store);
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PushAsync(store, image.ManifestDigest, server.Host, "locked/repo", "v1"));

        Assert.Equal("DENIED", error.Code);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal($"denied: {server.Host} refused pushing the manifest {server.Host}/locked/repo:v1 (DENIED: requested access to the resource is denied); " +
            $"check that the account may access {server.Host}/locked/repo, or run 'ashlar login {server.Host}'", error.Message);
    }

    [Fact]
    public async Task PushingAnImageWhoseBlobsAreMissingLocallySaysWhich()
    {
        var image = TestImage.Create(layerCount: 1);
        var store = new FileContentStore(temp.Combine("store"));
        await store.WriteAsync(new MemoryStream(image.Manifest));
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PushAsync(store, image.ManifestDigest, "127.0.0.1:1", "any/repo", "v1"));

        Assert.Contains($"blob {image.ConfigDigest} is not in the local store", error.Message);
    }

    public void Dispose() => temp.Dispose();
}
