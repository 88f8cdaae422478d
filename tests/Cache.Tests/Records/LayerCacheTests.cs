using Ashlar.Cache.Index;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Tests.Records;

public sealed class LayerCacheTests : IDisposable
{
    private static readonly CacheKey Base = CacheKey.ForBaseImage(Digest.Sha256("manifest"u8));
    private readonly TempDirectory _store = new();
    private readonly LayerCache _cache;

    public LayerCacheTests() => _cache = new LayerCache(FileDistributedCache.ForStore(_store.Path));

    public void Dispose() => _store.Dispose();

    private static CacheRecord Record(string layer) => new(
        Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(layer)), Digest.Sha256("diff"u8), "sha256:chain", "{\"Env\":[\"A=1\"]}",
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero));

    /// <summary>COPY src/ . over a context of 3 packages x 3 files; <paramref name="edit"/> names one file whose content changed.</summary>
    private static CacheKeyInputs Copy(string? edit = null, string? drop = null, string? add = null, string definition = "{\"src\":[\"src/\"],\"dest\":\".\"}")
    {
        var builder = new CacheKeyBuilder(Base, "file", definition);
        for (var p = 0; p < 3; p++)
            for (var m = 0; m < 3; m++)
            {
                var path = $"src/pkg{p:00}/mod{m:000}.txt";
                if (path == drop) continue;
                builder.AddFile(path, Digest.Sha256(System.Text.Encoding.UTF8.GetBytes(path == edit ? "edited" : path)));
            }
        if (add is not null) builder.AddFile(add, Digest.Sha256("new"u8));
        return builder.Build();
    }

    [Fact]
    public async Task A_record_is_put_and_found_by_its_key_only()
    {
        var inputs = Copy();
        Assert.Null(await _cache.TryGetAsync(inputs.Key));
        await _cache.PutAsync(inputs, Record("layer"));
        Assert.Equal(Record("layer"), await _cache.TryGetAsync(inputs.Key));
        Assert.Null(await _cache.TryGetAsync(Copy(edit: "src/pkg00/mod000.txt").Key));

        // Persistent: a new cache on the same store finds it.
        Assert.Equal(Record("layer"), await new LayerCache(FileDistributedCache.ForStore(_store.Path)).TryGetAsync(inputs.Key));
    }

    [Fact]
    public async Task A_record_without_a_layer_round_trips()
    {
        var inputs = new CacheKeyBuilder(Base, "config", "{\"env\":[\"A=1\"]}").Build();
        var record = new CacheRecord(null, null, null, "{\"Env\":[\"A=1\"]}", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        await _cache.PutAsync(inputs, record);
        Assert.Equal(record, await _cache.TryGetAsync(inputs.Key));
    }

    [Fact]
    public async Task Explain_names_the_changed_file()
    {
        await _cache.PutAsync(Copy(), Record("v1"));
        await _cache.PutAsync(Copy(edit: "src/pkg01/mod002.txt"), Record("v2"));

        var miss = Copy(edit: "src/pkg02/mod001.txt");
        var explanation = await _cache.ExplainAsync(miss, "COPY src/ .");

        Assert.Equal(Copy().Key, explanation.Closest); // one difference from v1, two from v2
        Assert.False(explanation.DefinitionChanged);
        var difference = Assert.Single(explanation.Differences);
        Assert.Equal(CacheInputChange.Changed, difference.Change);
        Assert.Equal("src/pkg02/mod001.txt", difference.Input.Name);
        Assert.Equal("COPY src/ . missed: input \"src/pkg02/mod001.txt\" changed", explanation.Message);
    }

    [Fact]
    public async Task Explain_names_added_and_removed_files()
    {
        await _cache.PutAsync(Copy(), Record("v1"));
        var explanation = await _cache.ExplainAsync(Copy(drop: "src/pkg00/mod001.txt", add: "src/pkg09/new.txt"), "COPY src/ .");
        Assert.Equal("COPY src/ . missed: input \"src/pkg09/new.txt\" added, input \"src/pkg00/mod001.txt\" removed", explanation.Message);
    }

    [Fact]
    public async Task Explain_names_a_build_arg()
    {
        CacheKeyInputs Run(string version) => new CacheKeyBuilder(Base, "exec", "{\"args\":[\"make\"]}").AddBuildArg("VERSION", version).AddEnv("PATH", "/bin").Build();
        await _cache.PutAsync(Run("1"), Record("v1"));
        var explanation = await _cache.ExplainAsync(Run("2"), "RUN make");
        Assert.Equal("RUN make missed: build arg \"VERSION\" changed", explanation.Message);
    }

    [Fact]
    public async Task Explain_says_when_the_definition_changed()
    {
        await _cache.PutAsync(Copy(), Record("v1"));
        var explanation = await _cache.ExplainAsync(Copy(definition: "{\"src\":[\"src/\"],\"dest\":\"/app\"}"), "COPY src/ /app");
        Assert.True(explanation.DefinitionChanged);
        Assert.Empty(explanation.Differences);
        Assert.Equal("COPY src/ /app missed: the instruction's definition changed", explanation.Message);
    }

    [Fact]
    public async Task Explain_without_history_on_this_parent_says_so()
    {
        await _cache.PutAsync(Copy(), Record("v1"));
        var otherParent = new CacheKeyBuilder(CacheKey.Scratch, "file", "{\"src\":[\"src/\"],\"dest\":\".\"}").Build();
        var explanation = await _cache.ExplainAsync(otherParent, "COPY src/ .");
        Assert.Null(explanation.Closest);
        Assert.StartsWith("COPY src/ . missed: no earlier result", explanation.Message);

        // Same parent but another op kind is not compared either.
        var exec = new CacheKeyBuilder(Base, "exec", "{}").Build();
        Assert.Null((await _cache.ExplainAsync(exec, "RUN true")).Closest);
    }

    [Fact]
    public async Task Explain_of_a_removed_record_says_it_was_pruned()
    {
        await _cache.PutAsync(Copy(), Record("v1"));
        await _cache.RemoveAsync(Copy().Key);
        var explanation = await _cache.ExplainAsync(Copy(), "COPY src/ .");
        Assert.Equal(Copy().Key, explanation.Closest);
        Assert.Contains("no longer in the cache", explanation.Message);
    }

    [Fact]
    public async Task Many_differences_are_summarised()
    {
        await _cache.PutAsync(Copy(), Record("v1"));
        var builder = new CacheKeyBuilder(Base, "file", "{\"src\":[\"src/\"],\"dest\":\".\"}");
        for (var p = 0; p < 3; p++)
            for (var m = 0; m < 3; m++)
                builder.AddFile($"src/pkg{p:00}/mod{m:000}.txt", Digest.Sha256("all edited"u8));
        var explanation = await _cache.ExplainAsync(builder.Build(), "COPY src/ .");
        Assert.Equal(9, explanation.Differences.Count);
        Assert.EndsWith(" and 6 more", explanation.Message);
    }

    [Fact]
    public async Task Only_the_latest_children_are_kept_per_parent()
    {
        for (var i = 0; i < LayerCache.ChildrenKept + 3; i++)
            await _cache.PutAsync(new CacheKeyBuilder(Base, "exec", "{}").AddBuildArg("N", i.ToString()).Build(), Record($"v{i}"));
        // The newest is still compared with; a miss is explained against a kept child.
        var explanation = await _cache.ExplainAsync(new CacheKeyBuilder(Base, "exec", "{}").AddBuildArg("N", "x").Build(), "RUN");
        Assert.Equal("RUN missed: build arg \"N\" changed", explanation.Message);
    }
}
