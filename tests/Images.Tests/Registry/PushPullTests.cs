using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Transfer;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>Push and pull against a real registry: digests survive the round trip, nothing moves twice.</summary>
[Collection(RegistryCollection.Name)]
public sealed class PushPullTests(RegistryFixture registry) : IDisposable
{
    readonly TempDirectory temp = new();
    int stores;

    IContentStore NewStore() => new FileContentStore(temp.Combine($"store{++stores}"));

    static RegistryClient Client(long? chunkSize = null) =>
        new(new RegistryClientOptions { Credentials = null, UploadChunkSize = chunkSize });

    [Fact]
    public async Task PushThenPullIntoAnEmptyStoreKeepsEveryDigest()
    {
        var image = TestImage.Create(layerCount: 3);
        var source = NewStore();
        await image.WriteToAsync(source);
        var repository = RegistryFixture.UniqueRepository("roundtrip");
        using var client = Client();

        var pushed = await client.PushAsync(source, image.ManifestDigest, registry.Host, repository, "v1");
        var target = NewStore();
        var pulled = await client.PullAsync(registry.Host, repository, "v1", target);

        Assert.Equal(image.ManifestDigest, pushed.Digest);
        Assert.Equal(image.ManifestDigest, pulled.Digest);
        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(image.ConfigDigest, pulled.ConfigDigest);
        Assert.Equal(image.LayerDigests, pulled.Layers);
        Assert.Equal(TestImage.OciManifestType, pulled.ManifestMediaType);
        foreach (var (digest, bytes) in image.Blobs)
            Assert.Equal(bytes, await ReadAsync(target, digest));
    }

    [Fact]
    public async Task DockerSchema2ImagePulledByDigestKeepsItsMediaType()
    {
        var image = TestImage.Create(docker: true);
        var source = NewStore();
        await image.WriteToAsync(source);
        var repository = RegistryFixture.UniqueRepository("bydigest");
        using var client = Client();

        await client.PushAsync(source, image.ManifestDigest, registry.Host, repository, tag: null);
        var pulled = await client.PullAsync(registry.Host, repository, image.ManifestDigest.ToString(), NewStore());

        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(TestImage.DockerManifestType, pulled.ManifestMediaType);
    }

    [Fact]
    public async Task ChunkedUploadStoresTheSameBlobs()
    {
        // 100 KiB of random data per layer in 16 KiB chunks: several PATCHes per blob, and a short last chunk.
        var image = TestImage.Create(layerCount: 2, layerSize: 100 * 1024);
        var source = NewStore();
        await image.WriteToAsync(source);
        var repository = RegistryFixture.UniqueRepository("chunked");
        using var chunked = Client(chunkSize: 16 * 1024);

        var pushed = await chunked.PushAsync(source, image.ManifestDigest, registry.Host, repository, "chunked");
        var target = NewStore();
        using var plain = Client();
        await plain.PullAsync(registry.Host, repository, "chunked", target);

        Assert.Equal(image.Layers.Sum(l => (long)l.Length) + image.Config.Length, pushed.UploadedBytes);
        foreach (var (digest, bytes) in image.Blobs)
            Assert.Equal(bytes, await ReadAsync(target, digest));
    }

    [Fact]
    public async Task CrossRepositoryMountLinksBlobsInsteadOfUploading()
    {
        var image = TestImage.Create();
        var source = NewStore();
        await image.WriteToAsync(source);
        var first = RegistryFixture.UniqueRepository("mount-from");
        var second = RegistryFixture.UniqueRepository("mount-to");
        using var client = Client();
        await client.PushAsync(source, image.ManifestDigest, registry.Host, first, "base");

        var events = new List<TransferProgress>();
        var pushed = await client.PushAsync(source, image.ManifestDigest, registry.Host, second, "copy", mountFrom: first,
            progress: new SynchronousProgress<TransferProgress>(events));

        Assert.Equal(0, pushed.UploadedBytes);
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(TransferState.Mounted, e.State));
        var pulled = await client.PullAsync(registry.Host, second, "copy", NewStore());
        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
    }

    [Fact]
    public async Task NothingMovesTwice()
    {
        var image = TestImage.Create();
        var source = NewStore();
        await image.WriteToAsync(source);
        var repository = RegistryFixture.UniqueRepository("skip");
        using var client = Client();
        await client.PushAsync(source, image.ManifestDigest, registry.Host, repository, "v1");

        var again = await client.PushAsync(source, image.ManifestDigest, registry.Host, repository, "v2");
        var target = NewStore();
        var firstPull = await client.PullAsync(registry.Host, repository, "v1", target);
        var events = new List<TransferProgress>();
        var secondPull = await client.PullAsync(registry.Host, repository, "v2", target, progress: new SynchronousProgress<TransferProgress>(events));

        Assert.Equal(0, again.UploadedBytes);
        Assert.True(firstPull.DownloadedBytes > 0);
        Assert.Equal(0, secondPull.DownloadedBytes);
        Assert.All(events, e => Assert.Equal(TransferState.AlreadyExists, e.State));
    }

    [Fact]
    public async Task AnIndexIsPushedWholeAndAPullChoosesThePlatform()
    {
        var amd64 = TestImage.Create(architecture: "amd64");
        var arm64 = TestImage.Create(architecture: "arm64");
        var index = TestImage.Index(amd64, arm64);
        var source = NewStore();
        await amd64.WriteToAsync(source);
        await arm64.WriteToAsync(source);
        var (indexDigest, _) = await source.WriteAsync(new MemoryStream(index));
        var repository = RegistryFixture.UniqueRepository("multiarch");
        using var client = Client();

        var pushed = await client.PushAsync(source, indexDigest, registry.Host, repository, "multi");
        var defaultPull = await client.PullAsync(registry.Host, repository, "multi", NewStore(), Platform.Parse("linux/amd64"));
        var armStore = NewStore();
        var armPull = await client.PullAsync(registry.Host, repository, "multi", armStore, Platform.Parse("linux/arm64"));
        var missing = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PullAsync(registry.Host, repository, "multi", NewStore(), Platform.Parse("linux/s390x")));

        Assert.Equal(indexDigest, pushed.Digest);
        Assert.Equal(indexDigest, defaultPull.Digest);
        Assert.Equal(amd64.ManifestDigest, defaultPull.ManifestDigest);
        Assert.Equal(arm64.ManifestDigest, armPull.ManifestDigest);
        Assert.True(armStore.Exists(indexDigest));
        Assert.False(armStore.Exists(amd64.ConfigDigest));
        Assert.Contains("linux/s390x", missing.Message);
        Assert.Contains("linux/arm64", missing.Message);
    }

    [Fact]
    public async Task ImageStoresRoundTripByNameAndTheSecondStoreTagsThePull()
    {
        var image = TestImage.Create();
        var source = ImageStore.Open(temp.Combine("images-a"));
        await image.WriteToAsync(source.Content);
        await source.TagAsync(ImageReference.Parse("app:1"), Descriptor.For(image.MediaType, image.ManifestDigest, image.Manifest.Length));
        var destination = ImageReference.Parse($"{registry.Host}/{RegistryFixture.UniqueRepository("stores")}:1");
        using var client = Client();

        var pushed = await client.PushAsync(source, "app:1", destination);
        var target = ImageStore.Open(temp.Combine("images-b"));
        var pulled = await client.PullAsync(destination, target);
        var resolved = await target.ResolveAsync(destination);
        var loaded = await target.LoadImageAsync(destination.ToString());

        Assert.Equal(image.ManifestDigest, pushed.Digest);
        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(image.ManifestDigest, resolved?.Digest);
        Assert.Equal(image.ConfigDigest, loaded.Manifest.Config.Digest);
    }

    [Fact]
    public async Task PushingAnImageTheStoreKnowsFromAnotherRepositoryMountsItsBlobs()
    {
        var image = TestImage.Create();
        var first = ImageReference.Parse($"{registry.Host}/{RegistryFixture.UniqueRepository("known")}:1");
        var store = ImageStore.Open(temp.Combine("images"));
        await image.WriteToAsync(store.Content);
        using var client = Client();
        await client.PushAsync(store.Content, image.ManifestDigest, first.Domain, first.Path, first.Tag);
        await client.PullAsync(first, store);

        var events = new List<TransferProgress>();
        var second = ImageReference.Parse($"{registry.Host}/{RegistryFixture.UniqueRepository("derived")}:1");
        await client.PushAsync(store, first.ToString(), second, new SynchronousProgress<TransferProgress>(events));

        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(TransferState.Mounted, e.State));
    }

    [Fact]
    public async Task ASinglePlatformImageOfAnotherPlatformIsRefusedWhenAPlatformIsAskedFor()
    {
        var image = TestImage.Create(architecture: "arm64");
        var source = NewStore();
        await image.WriteToAsync(source);
        var repository = RegistryFixture.UniqueRepository("single-arm");
        using var client = Client();
        await client.PushAsync(source, image.ManifestDigest, registry.Host, repository, "v1");

        var target = NewStore();
        var error = await Assert.ThrowsAsync<RegistryException>(() =>
            client.PullAsync(registry.Host, repository, "v1", target, Platform.Parse("linux/amd64")));
        var asArm = await client.PullAsync(registry.Host, repository, "v1", NewStore(), Platform.Parse("linux/arm64"));

        Assert.Equal($"{registry.Host}/{repository}:v1 is a single-platform image for linux/arm64, not linux/amd64", error.Message);
        Assert.False(target.Exists(image.ManifestDigest));
        Assert.Equal(image.ManifestDigest, asArm.ManifestDigest);
    }

    [Fact]
    public async Task ResolveTellsTheDigestWithoutDownloading()
    {
        var image = TestImage.Create(docker: true);
        var source = NewStore();
        await image.WriteToAsync(source);
        var repository = RegistryFixture.UniqueRepository("resolve");
        using var client = Client();
        await client.PushAsync(source, image.ManifestDigest, registry.Host, repository, "v1");

        var found = await client.ResolveAsync(ImageReference.Parse($"{registry.Host}/{repository}:v1"));
        var absent = await client.ResolveAsync(ImageReference.Parse($"{registry.Host}/{repository}:v2"));

        Assert.NotNull(found);
        Assert.Equal(image.ManifestDigest, found.Digest);
        Assert.Equal(TestImage.DockerManifestType, found.MediaType);
        Assert.Equal(image.Manifest.Length, found.Size);
        Assert.Null(absent);
    }

    [Fact]
    public async Task AMissingTagSaysWhatWasNotFoundWhere()
    {
        var repository = RegistryFixture.UniqueRepository("missing");
        using var client = Client();

        var error = await Assert.ThrowsAsync<RegistryException>(() => client.PullAsync(registry.Host, repository, "nope", NewStore()));

        Assert.Equal($"manifest unknown: nope not found in {registry.Host}/{repository}", error.Message);
        Assert.Equal("MANIFEST_UNKNOWN", error.Code);
    }

    static async Task<byte[]> ReadAsync(IContentStore store, Digest digest)
    {
        await using var stream = store.OpenRead(digest);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    public void Dispose() => temp.Dispose();
}
