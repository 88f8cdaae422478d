using System.Diagnostics;
using Ashlar.Cache.Export;
using Ashlar.Cache.Remote;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Tests.Remote;

/// <summary><c>type=local</c>: runner A writes an OCI layout, runner B (another store) reads it and fetches a layer only when asked.</summary>
public class LocalCacheLayoutTests
{
    [Fact]
    public async Task Runner_b_reads_runner_a_s_export_and_fetches_layers_lazily_and_verified()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var storeB = new FileContentStore(Path.Combine(dir.Path, "b"));
        var layout = Path.Combine(dir.Path, "cache");
        var steps = await CacheSamples.ChainAsync(storeA, 4);
        var warnings = new List<string>();

        await LocalCacheLayout.ExportAsync(layout, CacheArtifact.Create(steps, CacheExportMode.Max), storeA, [], warnings.Add);
        var counter = new TransferCounter();
        var (cache, layers) = await LocalCacheLayout.ImportAsync(layout, warnings.Add, counter);

        Assert.Equal(steps, cache!.Steps);
        Assert.Empty(storeB.List()); // importing reads the manifest and config only
        Assert.Equal(0, counter.LayersDownloaded);
        Assert.True(await layers.TryFetchAsync(steps[2].Layer!, storeB, CancellationToken.None));
        Assert.Equal([steps[2].Layer!.Digest], storeB.List());
        Assert.Equal(1, counter.LayersDownloaded);
        Assert.Empty(warnings);
    }

    [Fact]
    public async Task A_damaged_layer_is_refused_and_the_step_runs_instead()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var layout = Path.Combine(dir.Path, "cache");
        var steps = await CacheSamples.ChainAsync(storeA, 1);
        await LocalCacheLayout.ExportAsync(layout, CacheArtifact.Create(steps, CacheExportMode.Max), storeA, [], _ => { });
        var layer = steps[0].Layer!;
        await File.WriteAllBytesAsync(Path.Combine(layout, "blobs", "sha256", layer.Digest.Hex), new byte[layer.Size]);
        var warnings = new List<string>();
        var storeB = new FileContentStore(Path.Combine(dir.Path, "b"));

        var (_, layers) = await LocalCacheLayout.ImportAsync(layout, warnings.Add);
        var fetched = await layers.TryFetchAsync(layer, storeB, CancellationToken.None);

        Assert.False(fetched);
        Assert.False(storeB.Exists(layer.Digest));
        Assert.Contains("is damaged", Assert.Single(warnings));
    }

    [Fact]
    public async Task A_missing_or_corrupt_layout_is_a_warning_not_an_error()
    {
        using var dir = new TempDirectory();
        var warnings = new List<string>();

        var (missing, _) = await LocalCacheLayout.ImportAsync(Path.Combine(dir.Path, "none"), warnings.Add);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "index.json"), "{ torn");
        var (corrupt, _) = await LocalCacheLayout.ImportAsync(dir.Path, warnings.Add);

        Assert.Null(missing);
        Assert.Null(corrupt);
        Assert.Equal(2, warnings.Count);
        Assert.Contains("no cache in", warnings[0]);
        Assert.Contains("cannot be read", warnings[1]);
    }

    [Fact]
    public async Task A_layer_the_store_lacks_comes_from_the_imported_cache_when_exporting_again()
    {
        using var dir = new TempDirectory();
        var storeA = new FileContentStore(Path.Combine(dir.Path, "a"));
        var storeB = new FileContentStore(Path.Combine(dir.Path, "b"));
        var steps = await CacheSamples.ChainAsync(storeA, 3);
        var first = Path.Combine(dir.Path, "first");
        await LocalCacheLayout.ExportAsync(first, CacheArtifact.Create(steps, CacheExportMode.Max), storeA, [], _ => { });
        var (cache, layers) = await LocalCacheLayout.ImportAsync(first, _ => { });
        var warnings = new List<string>();

        // Runner B hit every step and never needed a blob; it exports to a new place, and one step's layer is gone everywhere.
        File.Delete(Path.Combine(first, "blobs", "sha256", steps[2].Layer!.Digest.Hex));
        var second = Path.Combine(dir.Path, "second");
        var written = await LocalCacheLayout.ExportAsync(second, CacheArtifact.Create(cache!.Steps, CacheExportMode.Max), storeB, [layers], warnings.Add);

        Assert.Equal([steps[0].Key, steps[1].Key], written.Steps.Select(s => s.Key));
        Assert.Contains("1 layer(s) are in no store", Assert.Single(warnings));
        Assert.True(File.Exists(Path.Combine(second, "blobs", "sha256", steps[0].Layer!.Digest.Hex)));
    }

    [Fact]
    public async Task Skopeo_reads_the_layout_as_an_oci_image_layout()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(Path.Combine(dir.Path, "a"));
        var layout = Path.Combine(dir.Path, "cache");
        var artifact = await LocalCacheLayout.ExportAsync(layout, CacheArtifact.Create(await CacheSamples.ChainAsync(store, 2), CacheExportMode.Max), store, [], _ => { });

        var skopeo = Process.Start(new ProcessStartInfo("skopeo", ["inspect", "--raw", $"oci:{layout}:ashlar-cache"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await skopeo.StandardOutput.ReadToEndAsync();
        var error = await skopeo.StandardError.ReadToEndAsync();
        await skopeo.WaitForExitAsync();

        Assert.True(skopeo.ExitCode == 0, error);
        Assert.Equal(Digest.Sha256(artifact.Manifest), Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(output.TrimEnd('\n'))));
    }
}
