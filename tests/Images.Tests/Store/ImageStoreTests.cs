using System.Text.Json;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Store;

public class ImageStoreTests
{
    [Fact]
    public async Task The_root_is_an_oci_layout_with_ref_names()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var manifest = await TestImages.PutAsync(store, "a");
        await store.TagAsync(ImageReference.Parse("app:1"), manifest);

        Assert.Contains("\"imageLayoutVersion\":\"1.0.0\"", await File.ReadAllTextAsync(dir.Combine("oci-layout")));
        var index = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(dir.Combine("index.json")), ImageJsonContext.Default.ImageIndex)!;
        var entry = Assert.Single(index.Manifests);
        Assert.Equal(manifest.DigestText, entry.DigestText);
        Assert.Equal("docker.io/library/app:1", entry.Annotation(AnnotationKeys.RefName));
        Assert.Equal(manifest.Digest, (await store.ResolveAsync(ImageReference.Parse("docker.io/library/app:1")))!.Digest);
    }

    [Fact]
    public async Task Retagging_leaves_the_old_image_dangling_and_prune_removes_it()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var first = await TestImages.PutAsync(store, "first");
        var second = await TestImages.PutAsync(store, "second");
        await store.TagAsync(ImageReference.Parse("app"), first);
        await store.TagAsync(ImageReference.Parse("app"), second);

        var images = await store.ListAsync();
        Assert.Equal(2, images.Count);
        var dangling = Assert.Single(images, i => i.IsDangling);
        Assert.Equal(first.DigestText, dangling.Target.DigestText);

        var firstImage = await store.LoadImageAsync(first);
        var result = await store.PruneAsync();
        Assert.Equal([firstImage.Id], result.DeletedImages);
        Assert.Contains(first.Digest, result.DeletedBlobs);
        Assert.Contains(firstImage.Id, result.DeletedBlobs);
        Assert.False(store.Content.Exists(first.Digest));
        Assert.True(store.Content.Exists(second.Digest));
        Assert.Single(await store.ListAsync());
    }

    [Fact]
    public async Task Rmi_by_tag_untags_then_deletes_with_the_last_tag()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var manifest = await TestImages.PutAsync(store, "x");
        await store.TagAsync(ImageReference.Parse("app:1"), manifest);
        await store.TagAsync(ImageReference.Parse("app:2"), manifest);
        var id = (await store.LoadImageAsync(manifest)).Id;

        Assert.Equal(["Untagged: app:1"], (await store.RemoveAsync("app:1")).Select(e => e.ToString()));
        Assert.Equal(["Untagged: app:2", $"Deleted: {id}"], (await store.RemoveAsync("app:2")).Select(e => e.ToString()));
        Assert.Empty(await store.ListAsync());
        await Assert.ThrowsAsync<ImageNotFoundException>(() => store.RemoveAsync("app:2"));
    }

    [Fact]
    public async Task Rmi_by_id_across_repositories_needs_force()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var manifest = await TestImages.PutAsync(store, "y");
        await store.TagAsync(ImageReference.Parse("one"), manifest);
        await store.TagAsync(ImageReference.Parse("two"), manifest);
        var id = (await store.LoadImageAsync(manifest)).Id;

        var conflict = await Assert.ThrowsAsync<ImageConflictException>(() => store.RemoveAsync(id.Short));
        Assert.Contains("must be forced", conflict.Message);
        var events = await store.RemoveAsync(id.Short, force: true);
        Assert.Equal(["Untagged: one:latest", "Untagged: two:latest", $"Deleted: {id}"], events.Select(e => e.ToString()));
        Assert.Empty(await store.ListAsync());
    }

    [Fact]
    public async Task Find_accepts_names_and_id_prefixes()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var manifest = await TestImages.PutAsync(store, "z");
        await store.TagAsync(ImageReference.Parse("localhost:5000/z:t"), manifest);
        var image = await store.LoadImageAsync(manifest);

        Assert.Equal(manifest.Digest, (await store.FindAsync("localhost:5000/z:t")).Digest);
        Assert.Equal(manifest.Digest, (await store.FindAsync(image.Id.Hex[..8])).Digest);
        Assert.Equal(manifest.Digest, (await store.FindAsync(image.Id.ToString())).Digest);
        await Assert.ThrowsAsync<ImageNotFoundException>(() => store.FindAsync("nothing"));
    }

    [Fact]
    public async Task Concurrent_tagging_loses_no_reference()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var manifest = await TestImages.PutAsync(store, "c");
        // Separate ImageStore instances take the lock through separate file descriptions, as separate processes would.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() =>
            ImageStore.Open(dir.Path).TagAsync(ImageReference.Parse($"app:{i}"), manifest))));
        Assert.Equal(20, (await store.ListAsync()).Count);
    }

    [Fact]
    public async Task Prune_keeps_blobs_of_tagged_images_and_reports_live_chains_to_participants()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var manifest = await TestImages.PutAsync(store, "p");
        await store.TagAsync(ImageReference.Parse("keep"), manifest);
        var stray = await store.PutLayerAsync(new MemoryStream("stray"u8.ToArray()), MediaTypes.OciLayer);
        var participant = new RecordingParticipant();

        var result = await store.PruneAsync(participants: [participant]);

        Assert.Equal([stray.Digest], result.DeletedBlobs);
        var image = await store.LoadImageAsync(manifest);
        Assert.Equal(image.DiffIds.ToHashSet(), participant.Seen);
    }

    private sealed class RecordingParticipant : IPruneParticipant
    {
        public HashSet<Ashlar.Images.Content.Digest> Seen { get; } = [];
        public string Name => "recording";

        public Task<long> PruneAsync(IReadOnlySet<Ashlar.Images.Content.Digest> liveChainIds, CancellationToken cancellationToken)
        {
            Seen.UnionWith(liveChainIds);
            return Task.FromResult(0L);
        }
    }
}

public class DockerMediaTypeTests
{
    [Fact]
    public async Task A_docker_v2_schema_2_manifest_is_an_image_like_an_oci_one()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var oci = await store.LoadImageAsync(await TestImages.PutAsync(store, "docker"));
        var docker = await store.PutManifestAsync(new ImageManifest
        {
            MediaType = MediaTypes.DockerManifest,
            Config = oci.Manifest.Config with { MediaType = MediaTypes.DockerConfig },
            Layers = oci.Manifest.Layers.Select(l => l with { MediaType = MediaTypes.DockerLayer }).ToList(),
        });
        await store.TagAsync(ImageReference.Parse("docker-format"), docker);

        var image = await store.LoadImageAsync("docker-format");
        Assert.Equal(MediaTypes.DockerManifest, image.Descriptor.MediaType);
        Assert.Equal(oci.Id, image.Id);
        Assert.Contains(oci.DiffIds[0], image.DiffIds);
        var pruned = await store.PruneAsync();
        Assert.DoesNotContain(oci.Manifest.Layers[0].Digest, pruned.DeletedBlobs);
    }
}
