using System.Text.Json;
using Ashlar.Cache.Export;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Tests.Remote;

public class CacheArtifactTests
{
    [Fact]
    public async Task Max_mode_is_a_plain_oci_manifest_of_every_step_and_its_layers_that_reads_back()
    {
        using var dir = new TempDirectory();
        var steps = await CacheSamples.ChainAsync(new FileContentStore(dir.Path), 5);

        var artifact = CacheArtifact.Create(steps, CacheExportMode.Max);
        var manifest = JsonSerializer.Deserialize(artifact.Manifest, ImageJsonContext.Default.ImageManifest)!;
        var read = ImportedCache.ReadConfig(artifact.Config, "test", w => Assert.Fail(w))!;

        Assert.Equal(MediaTypes.OciManifest, manifest.MediaType);
        Assert.Equal(CacheMediaTypes.Config, manifest.Config.MediaType);
        Assert.Equal(Digest.Sha256(artifact.Config), manifest.Config.Digest);
        Assert.Equal(steps.Where(s => s.Layer is not null).Select(s => s.Layer!.Digest), manifest.Layers.Select(l => l.Digest));
        Assert.Equal(steps, read.Steps);
    }

    [Fact]
    public async Task Min_mode_keeps_only_the_final_images_layer_steps_and_those_without_a_layer()
    {
        using var dir = new TempDirectory();
        var steps = await CacheSamples.ChainAsync(new FileContentStore(dir.Path), 6);
        var final = new[] { steps[4].Layer!.Digest };

        var artifact = CacheArtifact.Create(steps, CacheExportMode.Min, final);

        Assert.Equal([steps[1].Key, steps[3].Key, steps[4].Key, steps[5].Key], artifact.Steps.Select(s => s.Key));
        Assert.Equal(final, artifact.Layers.Select(l => l.Digest));
    }

    [Fact]
    public async Task The_same_steps_give_the_same_manifest_digest()
    {
        using var dir = new TempDirectory();
        var steps = await CacheSamples.ChainAsync(new FileContentStore(dir.Path), 3);

        Assert.Equal(CacheArtifact.Create(steps, CacheExportMode.Max).ManifestDescriptor, CacheArtifact.Create(steps, CacheExportMode.Max).ManifestDescriptor);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"version":1,"steps":[{"key":"sha256:nope","parent":"sha256:nope","op":"RUN","record":{}}]}""")]
    [InlineData("""{"version":2,"steps":[]}""")]
    [InlineData("""{"schemaVersion":2,"config":{}}""")]
    public void A_corrupt_or_foreign_config_is_ignored_with_a_warning(string config)
    {
        var warnings = new List<string>();

        var read = ImportedCache.ReadConfig(System.Text.Encoding.UTF8.GetBytes(config), "registry.lan/cache:main", warnings.Add);

        Assert.Null(read);
        var warning = Assert.Single(warnings);
        Assert.StartsWith("cache registry.lan/cache:main is not a cache Ashlar can read", warning);
        Assert.EndsWith("building without it", warning);
    }
}
