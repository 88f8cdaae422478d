using Ashlar.Builder.Tests.Support;
using Ashlar.Cache.Remote;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>A hit whose blob the store lacks takes it from a layer source, and only when it is needed.</summary>
public sealed class LayerSourceTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    /// <summary>A cache export in a directory: blobs by digest.</summary>
    private sealed class DirectorySource(string directory) : ILayerSource
    {
        public List<string> Fetched { get; } = [];

        public async Task<bool> TryFetchAsync(Descriptor layer, IContentStore store, CancellationToken cancellationToken)
        {
            var path = Path.Combine(directory, layer.Digest.Hex);
            if (!File.Exists(path)) return false;
            lock (Fetched) Fetched.Add(layer.DigestText);
            await using var blob = File.OpenRead(path);
            await store.WriteAsync(blob, layer.Digest, layer.Size, cancellationToken);
            return true;
        }
    }

    [Fact]
    public async Task A_missing_blob_of_a_hit_comes_from_a_layer_source_when_the_image_needs_it()
    {
        var marker = CacheOutcome.Unique();
        var dockerfile = $"FROM busybox\nRUN echo {marker} > /m\nRUN echo two > /t\n";
        var first = await fixture.BuildAsync(dockerfile);
        var layer = first.Step($"RUN echo {marker}").Record.LayerDigest!.Value;
        var export = Directory.CreateDirectory(Path.Combine(fixture.Root, "export-" + marker)).FullName;
        await using (var blob = fixture.Store.Content.OpenRead(layer))
        await using (var copy = File.Create(Path.Combine(export, layer.Hex)))
            await blob.CopyToAsync(copy);
        Assert.True(fixture.Store.Content.Delete(layer));

        var source = new DirectorySource(export);
        var rebuilt = await fixture.BuildAsync(fixture.Request(dockerfile) with { LayerSources = [source] });
        Assert.Equal("CC", rebuilt.Pattern());
        Assert.Equal(first.Result.ImageDigest, rebuilt.Result.ImageDigest);
        Assert.Equal([layer.ToString()], source.Fetched);
        Assert.True(fixture.Store.Content.Exists(layer));
    }

    [Fact]
    public async Task A_blob_no_source_has_fails_the_build_clearly()
    {
        var marker = CacheOutcome.Unique();
        var dockerfile = $"FROM busybox\nRUN echo {marker} > /m\n";
        var first = await fixture.BuildAsync(dockerfile);
        Assert.True(fixture.Store.Content.Delete(first.Step("RUN").Record.LayerDigest!.Value));
        var empty = Directory.CreateDirectory(Path.Combine(fixture.Root, "empty-" + marker)).FullName;
        var error = await Assert.ThrowsAsync<BuildException>(() => fixture.BuildAsync(fixture.Request(dockerfile) with { LayerSources = [new DirectorySource(empty)] }));
        Assert.Contains("neither in the store nor in any cache source", error.Message);
    }
}
