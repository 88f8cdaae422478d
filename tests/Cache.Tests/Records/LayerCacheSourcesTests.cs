using Ashlar.Cache.Index;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Tests.Records;

/// <summary>The per-file list a COPY key is remembered with, and the layer descriptor a hit needs.</summary>
public sealed class LayerCacheSourcesTests : IDisposable
{
    private readonly TempDirectory _store = new();
    private readonly LayerCache _cache;

    public LayerCacheSourcesTests() => _cache = new LayerCache(FileDistributedCache.ForStore(_store.Path));

    public void Dispose() => _store.Dispose();

    private static readonly CacheKey Key = CacheKey.ForBaseImage(Digest.Sha256("copy"u8));

    private static SourceFile File(string path, string content = "c", string mode = "644", string owner = "0:0") =>
        new(path, "File", mode, owner, null, Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(content)).ToString());

    [Fact]
    public async Task A_change_names_the_file_and_what_changed()
    {
        await _cache.PutSourcesAsync(Key, [File("src/a"), File("src/b"), File("src/c"), File("src/d")]);

        Assert.Equal("src/b content changed", await _cache.DescribeSourceChangeAsync(Key, [File("src/a"), File("src/b", "new"), File("src/c"), File("src/d")]));
        Assert.Equal("src/c mode changed (644 -> 755)", await _cache.DescribeSourceChangeAsync(Key, [File("src/a"), File("src/b"), File("src/c", mode: "755"), File("src/d")]));
        Assert.Equal("src/e added, src/a removed", await _cache.DescribeSourceChangeAsync(Key, [File("src/b"), File("src/c"), File("src/d"), File("src/e")]));
        Assert.Equal("src/a owner changed (0:0 -> 1000:1000), src/b content changed, src/c content changed and 1 more",
            await _cache.DescribeSourceChangeAsync(Key, [File("src/a", owner: "1000:1000"), File("src/b", "x"), File("src/c", "x"), File("src/d", "x")]));
    }

    [Fact]
    public async Task Nothing_remembered_or_nothing_changed_gives_no_description()
    {
        Assert.Null(await _cache.DescribeSourceChangeAsync(Key, [File("src/a")]));
        await _cache.PutSourcesAsync(Key, [File("src/a")]);
        Assert.Null(await _cache.DescribeSourceChangeAsync(Key, [File("src/a")]));
    }

    [Fact]
    public async Task A_record_keeps_its_layer_descriptor()
    {
        var layer = Descriptor.For(MediaTypes.OciLayerGzip, Digest.Sha256("layer"u8), 1234);
        var inputs = new CacheKeyBuilder(Key, "exec", "{}").Build();
        var record = new CacheRecord(layer.Digest, Digest.Sha256("diff"u8), "sha256:chain", null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, layer);
        await _cache.PutAsync(inputs, record);
        var found = await _cache.TryGetAsync(inputs.Key);
        Assert.NotNull(found);
        Assert.Equal(layer, found.Layer);
        Assert.Equal(1234, found.Layer!.Size);
    }
}
