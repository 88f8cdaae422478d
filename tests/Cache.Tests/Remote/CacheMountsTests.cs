using Ashlar.Cache.Export;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Tests.Remote;

/// <summary>Opt-in export of RUN --mount=type=cache contents: runner B starts with the package cache runner A filled.</summary>
public class CacheMountsTests
{
    private const string Mount = "0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task A_cache_mount_travels_through_a_layout_and_is_restored_where_the_store_lacks_it()
    {
        using var dir = new TempDirectory();
        var rootA = Path.Combine(dir.Path, "a");
        Directory.CreateDirectory(Path.Combine(rootA, "cache-mounts", Mount, "pkgs"));
        await File.WriteAllTextAsync(Path.Combine(rootA, "cache-mounts", Mount, "pkgs", "tool-1.0.tgz"), "downloaded once");
        Directory.CreateDirectory(Path.Combine(rootA, "cache-mounts", Mount + ".new-leftover"));
        var contentA = new FileContentStore(rootA);
        var layout = Path.Combine(dir.Path, "cache");

        var mounts = await CacheMounts.PackAsync(rootA, contentA);
        await LocalCacheLayout.ExportAsync(layout, CacheArtifact.Create([], CacheExportMode.Max, cacheMounts: mounts), contentA, [], _ => { });
        var (cache, layers) = await LocalCacheLayout.ImportAsync(layout, _ => { });
        var rootB = Path.Combine(dir.Path, "b");
        var warnings = new List<string>();
        var restored = await CacheMounts.RestoreAsync(rootB, new FileContentStore(rootB), cache!.CacheMounts, [layers], warnings.Add);

        Assert.Equal(Mount, Assert.Single(mounts).Name);
        Assert.Equal(1, restored);
        Assert.Equal("downloaded once", await File.ReadAllTextAsync(Path.Combine(rootB, "cache-mounts", Mount, "pkgs", "tool-1.0.tgz")));
        Assert.Empty(warnings);

        // A mount the store has already is its own: never overwritten by an import.
        await File.WriteAllTextAsync(Path.Combine(rootB, "cache-mounts", Mount, "pkgs", "tool-1.0.tgz"), "local");
        Assert.Equal(0, await CacheMounts.RestoreAsync(rootB, new FileContentStore(rootB), cache.CacheMounts, [layers], warnings.Add));
        Assert.Equal("local", await File.ReadAllTextAsync(Path.Combine(rootB, "cache-mounts", Mount, "pkgs", "tool-1.0.tgz")));
    }

    [Fact]
    public async Task A_mount_name_that_is_not_a_digest_never_reaches_the_file_system()
    {
        using var dir = new TempDirectory();
        var content = new FileContentStore(Path.Combine(dir.Path, "store"));
        var layer = await CacheSamples.LayerAsync(content);
        var warnings = new List<string>();

        var restored = await CacheMounts.RestoreAsync(Path.Combine(dir.Path, "store"), content, [new CacheMountLayer("../../escape", layer)], [], warnings.Add);

        Assert.Equal(0, restored);
        Assert.Contains("not a cache mount name", Assert.Single(warnings));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "escape")));
    }
}
