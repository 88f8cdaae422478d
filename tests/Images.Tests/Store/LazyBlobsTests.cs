using System.Net;
using System.Net.Sockets;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Transfer;
using Ashlar.Images.Store;
using Ashlar.Images.Store.Lazy;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Store;

/// <summary>
/// Lazy layers (issue 7): an image whose manifest and config are in the store and whose layers are still in a
/// registry (or a layout), fetched and verified only when needed, against real <c>docker-registry</c> processes.
/// </summary>
public sealed class LazyBlobsTests : IDisposable
{
    private const string Repository = "cache/app";
    private readonly TempDirectory _directory = new();
    private readonly TestImage _image = TestImage.Create(layerCount: 2);

    public void Dispose() => _directory.Dispose();

    private static RegistryClient Client(int retries = 0) => new(new RegistryClientOptions { Credentials = null, MaxRetries = retries });

    /// <summary>The image in <paramref name="registry"/>'s cache/app:1.</summary>
    private async Task PushAsync(RegistryProcess registry)
    {
        var seed = new FileContentStore(_directory.Combine("seed"));
        foreach (var (digest, bytes) in _image.Blobs) await seed.WriteAsync(bytes, digest);
        using var client = Client();
        await client.PushAsync(seed, _image.ManifestDigest, registry.Host, Repository, "1");
    }

    /// <summary>A store holding the image as app:1 with its manifest and config only, its layers recorded at <paramref name="source"/>.</summary>
    private async Task<ImageStore> LazyStoreAsync(LazyBlobSource source)
    {
        var store = ImageStore.Open(_directory.Combine("store"));
        await store.PutBytesAsync(_image.Config, MediaTypes.OciConfig, _image.ConfigDigest);
        var manifest = await store.PutBytesAsync(_image.Manifest, TestImage.OciManifestType, _image.ManifestDigest);
        foreach (var layer in (await store.LoadManifestAsync(_image.ManifestDigest)).Layers)
            await store.Lazy.RecordAsync(layer, [source], "app:1");
        await store.TagAsync(ImageReference.Parse("app:1"), manifest);
        return store;
    }

    private static Task<IReadOnlyList<StoreProblem>> CheckAsync(ImageStore store, out StoreChecker checker)
    {
        checker = new StoreChecker(store);
        return checker.CheckAsync();
    }

    [Fact]
    public async Task A_lazy_layer_is_fetched_verified_when_needed_and_then_its_record_goes()
    {
        await using var registry = await RegistryProcess.StartAsync();
        await PushAsync(registry);
        var store = await LazyStoreAsync(LazyBlobSource.InRegistry(registry.Host, Repository));

        Assert.All(_image.LayerDigests, d => Assert.False(store.Content.Exists(d)));
        Assert.All(_image.LayerDigests, d => Assert.True(store.Lazy.IsLazy(d)));
        Assert.Empty(await CheckAsync(store, out var before));
        Assert.Equal(_image.LayerDigests.ToHashSet(), before.LazyLayers.ToHashSet());
        Assert.Contains((await store.ListAsync()), i => i.Reference?.ToString() == "docker.io/library/app:1");

        var image = await store.LoadImageAsync("app:1");
        using var client = Client();
        await store.Lazy.EnsureImageAsync(image, "app:1", client);

        foreach (var (digest, bytes) in _image.Layers.Select(l => (Digest.Sha256(l), l)))
        {
            Assert.Equal(bytes, await store.Content.ReadAllBytesAsync(digest));
            Assert.False(store.Lazy.IsLazy(digest));
        }
        Assert.Empty(Directory.GetFiles(store.Lazy.Directory, "*", SearchOption.AllDirectories));
        Assert.Empty(await CheckAsync(store, out var after));
        Assert.Empty(after.LazyLayers);
    }

    [Fact]
    public async Task A_stopped_registry_gives_an_error_naming_the_image_the_layer_and_the_source_and_the_store_stays_as_it_was()
    {
        var registry = await RegistryProcess.StartAsync();
        var host = registry.Host;
        await PushAsync(registry);
        var store = await LazyStoreAsync(LazyBlobSource.InRegistry(host, Repository));
        await registry.DisposeAsync();

        var image = await store.LoadImageAsync("app:1");
        using var client = Client();
        var error = await Assert.ThrowsAsync<LazyBlobUnavailableException>(() => store.Lazy.EnsureImageAsync(image, "app:1", client));

        Assert.Contains("image app:1", error.Message);
        Assert.Contains(error.Digest.ToString(), error.Message);
        Assert.Contains($"{host}/{Repository}", error.Message);
        Assert.Contains(error.Digest, _image.LayerDigests);
        Assert.All(_image.LayerDigests, d => Assert.True(store.Lazy.IsLazy(d)));
        Assert.Empty(Directory.GetFiles(_directory.Combine("store", "ingest")));
        Assert.Empty(await CheckAsync(store, out var checker));
        Assert.Equal(2, checker.LazyLayers.Count);
    }

    [Fact]
    public async Task A_source_that_never_answers_times_out_with_the_configured_bound()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections (the kernel's backlog) and never answers
        var host = $"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}";
        var store = await LazyStoreAsync(LazyBlobSource.InRegistry(host, Repository));
        store.Lazy.FetchTimeout = TimeSpan.FromSeconds(1);

        using var client = Client();
        var layer = (await store.LoadManifestAsync(_image.ManifestDigest)).Layers[0];
        var error = await Assert.ThrowsAsync<LazyBlobUnavailableException>(() => store.Lazy.EnsureAsync(layer, "app:1", client));

        Assert.Contains("timed out after 1s", error.Message);
        Assert.Contains(LazyBlobs.TimeoutVariable, error.Message);
        Assert.True(store.Lazy.IsLazy(layer.Digest));
    }

    [Fact]
    public async Task A_layout_source_serves_a_lazy_layer_and_a_damaged_one_is_refused_with_nothing_stored()
    {
        var layout = _directory.Combine("layout");
        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        var layers = _image.Layers.Select(l => (Digest: Digest.Sha256(l), Bytes: l)).ToList();
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", "sha256", layers[0].Digest.Hex), layers[0].Bytes);
        var damaged = layers[1].Bytes.ToArray();
        damaged[^1] ^= 0xff;
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", "sha256", layers[1].Digest.Hex), damaged);
        var store = await LazyStoreAsync(LazyBlobSource.InLayout(layout));
        var manifest = await store.LoadManifestAsync(_image.ManifestDigest);

        await store.Lazy.EnsureAsync(manifest.Layers[0]);
        var error = await Assert.ThrowsAsync<LazyBlobUnavailableException>(() => store.Lazy.EnsureAsync(manifest.Layers[1]));

        Assert.Equal(layers[0].Bytes, await store.Content.ReadAllBytesAsync(layers[0].Digest));
        Assert.Contains("digest mismatch", error.Message);
        Assert.Contains($"the layout {layout}", error.Message);
        Assert.False(store.Content.Exists(layers[1].Digest));
        Assert.True(store.Lazy.IsLazy(layers[1].Digest));
    }

    [Fact]
    public async Task Garbage_collection_keeps_the_records_an_image_needs_and_drops_them_with_the_image()
    {
        var store = await LazyStoreAsync(LazyBlobSource.InRegistry("127.0.0.1:1", Repository));
        var collector = new StoreGarbageCollector(store);

        await collector.CollectAsync(new GarbageCollectionOptions { AllCache = true });
        await store.PruneAsync();
        Assert.All(_image.LayerDigests, d => Assert.True(store.Lazy.IsLazy(d)));
        Assert.Empty(await CheckAsync(store, out _));

        await store.RemoveAsync("app:1");
        // Anything written in the last two seconds counts as held by a writer that may be about to reference it.
        foreach (var record in Directory.GetFiles(store.Lazy.Directory, "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(record, DateTime.UtcNow.AddMinutes(-1));
        await collector.CollectAsync(new GarbageCollectionOptions { AllCache = true });

        Assert.All(_image.LayerDigests, d => Assert.False(store.Lazy.IsLazy(d)));
        Assert.Empty(Directory.GetFiles(store.Lazy.Directory, "*", SearchOption.AllDirectories));
        Assert.Empty(await CheckAsync(store, out _));
    }

    [Fact]
    public async Task Push_mounts_a_lazy_layer_from_its_repository_and_fetches_it_only_for_another_registry()
    {
        await using var registry = await RegistryProcess.StartAsync();
        await using var other = await RegistryProcess.StartAsync();
        await PushAsync(registry);
        var store = await LazyStoreAsync(LazyBlobSource.InRegistry(registry.Host, Repository));
        using var client = Client();

        var mounted = new List<TransferProgress>();
        var same = await client.PushAsync(store, "app:1", ImageReference.Parse($"{registry.Host}/team/app:1"), new SynchronousProgress<TransferProgress>(mounted));
        Assert.Equal(_image.ManifestDigest, same.Digest);
        Assert.Equal(_image.LayerDigests.ToHashSet(), mounted.Where(p => p.State == TransferState.Mounted).Select(p => p.Digest).ToHashSet());
        Assert.All(_image.LayerDigests, d => Assert.True(store.Lazy.IsLazy(d))); // nothing was downloaded

        var uploaded = new List<TransferProgress>();
        var elsewhere = await client.PushAsync(store, "app:1", ImageReference.Parse($"{other.Host}/team/app:1"), new SynchronousProgress<TransferProgress>(uploaded));
        Assert.Equal(_image.ManifestDigest, elsewhere.Digest);
        Assert.Equal(_image.LayerDigests.ToHashSet(), uploaded.Where(p => p.State == TransferState.Pushed && !p.IsConfig).Select(p => p.Digest).ToHashSet());
        Assert.All(_image.LayerDigests, d => Assert.True(store.Content.Exists(d)));

        var pulled = ImageStore.Open(_directory.Combine("pulled"));
        await client.PullAsync(ImageReference.Parse($"{other.Host}/team/app:1"), pulled);
        Assert.All(_image.LayerDigests, d => Assert.True(pulled.Content.Exists(d)));
    }

    [Fact]
    public async Task A_record_that_does_not_read_is_a_check_problem_that_repair_removes()
    {
        var store = await LazyStoreAsync(LazyBlobSource.InRegistry("127.0.0.1:1", Repository));
        var broken = Path.Combine(store.Lazy.Directory, "sha256", _image.LayerDigests.First().Hex);
        await File.WriteAllTextAsync(broken, "{not json");

        var problems = await new StoreChecker(store).CheckAsync();
        Assert.Contains(problems, p => p.ToString().Contains(broken) && p.ToString().Contains("lazy blob record"));

        var repaired = await new StoreChecker(store).CheckAsync(repair: true);
        Assert.All(repaired, p => Assert.True(p.Repaired));
        Assert.False(File.Exists(broken));
    }

    [Theory]
    [InlineData("90", 90)]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("0", 0)]
    public void The_timeout_takes_seconds_or_a_unit(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), LazyBlobs.ParseDuration(text));

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("5d")]
    public void A_timeout_that_is_not_a_duration_is_refused(string text) => Assert.Null(LazyBlobs.ParseDuration(text));
}
