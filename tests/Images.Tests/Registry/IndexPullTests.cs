using Ashlar.Images.Archives;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>
/// <c>ashlar pull</c> of a multi-platform image tags the index, as docker's containerd store does, holding one
/// platform: push back keeps the index digest, save writes that platform, and a push where the other platforms are
/// unknown sends the stored platform's manifest.
/// </summary>
[Collection(RegistryCollection.Name)]
public sealed class IndexPullTests(RegistryFixture registry) : IDisposable
{
    readonly TempDirectory temp = new();

    static RegistryClient Client() => new(new RegistryClientOptions { Credentials = null });

    async Task<(TestImage Amd64, TestImage Arm64, Digest Index, ImageReference Reference)> PushIndexAsync(RegistryClient client)
    {
        var amd64 = TestImage.Create(architecture: "amd64");
        var arm64 = TestImage.Create(architecture: "arm64");
        var source = new FileContentStore(temp.Combine("source"));
        await amd64.WriteToAsync(source);
        await arm64.WriteToAsync(source);
        var (index, _) = await source.WriteAsync(new MemoryStream(TestImage.Index(amd64, arm64)));
        var reference = ImageReference.Parse($"{registry.Host}/{RegistryFixture.UniqueRepository("index-pull")}:multi");
        await client.PushAsync(source, index, reference.Domain, reference.Path, reference.Tag);
        return (amd64, arm64, index, reference);
    }

    [Fact]
    public async Task The_tag_points_at_the_index_and_the_store_holds_one_platform()
    {
        using var client = Client();
        var (amd64, arm64, index, reference) = await PushIndexAsync(client);
        var store = ImageStore.Open(temp.Combine("store"));

        var pulled = await client.PullAsync(reference, store, Platform.Parse("linux/amd64"));

        Assert.Equal(index, (await store.ResolveAsync(reference))?.Digest);
        Assert.Equal(index, pulled.Digest);
        var image = await store.LoadImageAsync(reference.ToString(), Platform.Parse("linux/amd64"));
        Assert.Equal(amd64.ManifestDigest, image.ManifestDigest);
        Assert.False(store.Content.Exists(arm64.ManifestDigest));
        var row = Assert.Single(await store.ListAsync());
        Assert.Equal(index, row.Id); // docker's containerd store lists the index digest as the image ID
    }

    [Fact]
    public async Task Pushing_back_keeps_the_index_digest_and_elsewhere_sends_the_stored_platform()
    {
        using var client = Client();
        var (amd64, _, index, reference) = await PushIndexAsync(client);
        var store = ImageStore.Open(temp.Combine("store"));
        await client.PullAsync(reference, store, Platform.Parse("linux/amd64"));

        var back = await client.PushAsync(store, reference.ToString(), reference.WithTag("again"));
        var elsewhere = await client.PushAsync(store, reference.ToString(),
            ImageReference.Parse($"{registry.Host}/{RegistryFixture.UniqueRepository("index-elsewhere")}:1"));

        Assert.Equal(index, back.Digest);
        Assert.Equal(amd64.ManifestDigest, elsewhere.Digest);
    }

    [Fact]
    public async Task Saving_a_pulled_index_writes_the_platforms_original_manifest_and_config()
    {
        using var client = Client();
        var (amd64, _, _, reference) = await PushIndexAsync(client);
        var store = ImageStore.Open(temp.Combine("store"));
        await client.PullAsync(reference, store, Platform.Parse("linux/amd64"));

        using var archive = new MemoryStream();
        await ImageArchiveWriter.WriteAsync(store, [reference.ToString()], archive, platform: Platform.Parse("linux/amd64"));
        archive.Position = 0;
        var copy = ImageStore.Open(temp.Combine("copy"));
        await ImageArchiveReader.LoadAsync(copy, archive);

        var image = await copy.LoadImageAsync(reference.ToString());
        Assert.Equal(amd64.ConfigDigest, image.Id);
        Assert.Equal(amd64.ManifestDigest, image.ManifestDigest);
    }

    public void Dispose() => temp.Dispose();
}
