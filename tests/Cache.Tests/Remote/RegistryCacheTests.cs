using Ashlar.Cache.Export;
using Ashlar.Cache.Remote;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Store;

namespace Ashlar.Cache.Tests.Remote;

/// <summary><c>type=registry</c> and <c>type=inline</c> against the real test registry.</summary>
public class RegistryCacheTests
{
    private static RegistryClient Client() => new(new RegistryClientOptions { Credentials = null });

    [RegistryFact]
    public async Task Runner_b_imports_manifest_and_config_only_and_fetches_a_layer_when_asked()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var storeB = new FileContentStore(Path.Combine(dir.Path, "b"));
        var steps = await CacheSamples.ChainAsync(storeA, 6);
        var reference = ImageReference.Parse($"{TestServices.Registry}/{TestServices.UniqueRepository("cache")}:buildcache");
        using var client = Client();
        var warnings = new List<string>();
        var artifact = CacheArtifact.Create(steps, CacheExportMode.Max);

        var exporter = new RegistryCache(client, warnings.Add);
        await exporter.ExportAsync(reference, artifact, storeA, []);
        var importer = new RegistryCache(client, warnings.Add);
        var (cache, layers) = await importer.ImportAsync(reference);

        Assert.Equal(steps, cache!.Steps);
        Assert.Equal(artifact.Manifest.Length + artifact.Config.Length, importer.Counter.BytesDownloaded);
        Assert.Empty(storeB.List());
        Assert.True(await layers.TryFetchAsync(steps[4].Layer!, storeB, CancellationToken.None));
        Assert.True(storeB.Exists(steps[4].Layer!.Digest));
        Assert.False(await layers.TryFetchAsync(Descriptor.For(MediaTypes.OciLayerGzip, CacheSamples.Key("absent").Digest, 10), storeB, CancellationToken.None));
        Assert.Equal(3, exporter.Counter.LayersUploaded);
        Assert.Empty(warnings);
    }

    [RegistryFact]
    public async Task Exporting_again_uploads_no_layer_the_registry_has_and_mounts_from_another_repository()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var steps = await CacheSamples.ChainAsync(storeA, 4);
        var repository = TestServices.UniqueRepository("cache");
        var first = ImageReference.Parse($"{TestServices.Registry}/{repository}:main");
        var other = ImageReference.Parse($"{TestServices.Registry}/{TestServices.UniqueRepository("cache")}:main");
        using var client = Client();
        await new RegistryCache(client, _ => { }).ExportAsync(first, CacheArtifact.Create(steps, CacheExportMode.Max), storeA, []);

        var again = new RegistryCache(client, _ => { });
        await again.ExportAsync(first, CacheArtifact.Create(steps, CacheExportMode.Max), storeA, []);
        var mounted = new RegistryCache(client, _ => { });
        await mounted.ExportAsync(other, CacheArtifact.Create(steps, CacheExportMode.Max), storeA, [], mountFrom: repository);

        Assert.Equal(0, again.Counter.LayersUploaded);
        Assert.Equal(0, mounted.Counter.LayersUploaded);
        Assert.NotNull((await new RegistryCache(client, _ => { }).ImportAsync(other)).Cache);
    }

    [RegistryFact]
    public async Task A_missing_cache_or_an_image_without_one_is_a_warning()
    {
        using var client = Client();
        var warnings = new List<string>();

        var (missing, _) = await new RegistryCache(client, warnings.Add).ImportAsync(ImageReference.Parse($"{TestServices.Registry}/{TestServices.UniqueRepository("none")}:x"));

        Assert.Null(missing);
        Assert.Contains("no cache at", Assert.Single(warnings));
    }

    [RegistryFact]
    public async Task An_inline_cache_travels_in_the_pushed_images_config()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(Path.Combine(dir.Path, "a"));
        var steps = await CacheSamples.ChainAsync(store.Content, 3);
        var layers = steps.Where(s => s.Layer is not null).Select(s => s.Layer!).ToList();
        var config = new ImageConfig { RootFs = new RootFs { DiffIds = layers.Select(l => l.Digest.ToString()).ToList() } };
        var image = await store.PutImageAsync(config, layers);
        var reference = ImageReference.Parse($"{TestServices.Registry}/{TestServices.UniqueRepository("inline")}:1");

        var embedded = await InlineCache.EmbedAsync(store, image.ManifestDigest, steps);
        using var client = Client();
        await client.PushAsync(store.Content, embedded.Digest, reference.Domain, reference.Path, reference.Tag);
        var warnings = new List<string>();
        var (cache, _) = await new RegistryCache(client, warnings.Add).ImportAsync(reference);

        Assert.Equal(steps, cache!.Steps);
        Assert.Empty(warnings);
        var stored = await store.LoadConfigAsync((await store.LoadManifestAsync(embedded.Digest)).Config.Digest);
        Assert.Equal(config.RootFs.DiffIds, stored.RootFs.DiffIds);
    }

    [Fact]
    public async Task A_registry_that_accepts_and_never_answers_is_a_warning_after_the_import_timeout()
    {
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<System.Net.Sockets.Socket>();
        _ = Task.Run(async () => { while (true) accepted.Add(await silent.AcceptSocketAsync()); });
        using var client = Client();
        var warnings = new List<string>();
        var reference = ImageReference.Parse($"127.0.0.1:{((System.Net.IPEndPoint)silent.LocalEndpoint).Port}/team/app:cache");

        var (cache, _) = await new RegistryCache(client, warnings.Add, importTimeout: TimeSpan.FromSeconds(1)).ImportAsync(reference).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Null(cache);
        Assert.Contains("did not arrive within 1s", Assert.Single(warnings));
        foreach (var socket in accepted) socket.Dispose();
    }
}
