using Ashlar.Builder.Tests.Support;
using Ashlar.Images.Content;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>A hit costs no unpack or mount: results become snapshots only when a later step misses, from their layer blobs if need be.</summary>
public sealed class LazySnapshotTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private string Snapshots => Path.Combine(fixture.StoreRoot, "snapshots");

    private int SnapshotCount() => Directory.Exists(Snapshots)
        ? Directory.EnumerateDirectories(Snapshots).Count(d => int.TryParse(Path.GetFileName(d), out _)) : 0;

    private static string Dockerfile(string marker, string last) => $"""
        FROM busybox AS one
        RUN echo {marker} > /one
        FROM busybox
        COPY --from=one /one /one
        RUN cat /one > /two
        RUN echo {last} > /last
        """;

    [Fact]
    public async Task A_fully_cached_rebuild_unpacks_nothing_and_a_later_miss_unpacks_from_the_blobs()
    {
        var marker = CacheOutcome.Unique();
        await fixture.BuildAsync(Dockerfile(marker, "a"));
        // Lose every snapshot (e.g. pruned): the cached rebuild must not need them.
        Snapshotter().Prune(_ => false);
        Assert.Equal(0, SnapshotCount());
        var cached = await fixture.BuildAsync(Dockerfile(marker, "a"));
        Assert.Equal("CCCC", cached.Pattern());
        Assert.Equal(0, SnapshotCount());

        // The last step misses: its parent is unpacked from the layer blobs, by chain ID, and the result is right.
        var files = await fixture.FilesAsync(fixture.Request(Dockerfile(marker, "b")));
        Assert.Equal(marker, File.ReadAllText(Path.Combine(files, "two")).Trim());
        Assert.Equal("b", File.ReadAllText(Path.Combine(files, "last")).Trim());
        Assert.True(SnapshotCount() > 0);
    }

    [Fact]
    public async Task A_hit_whose_layer_blob_was_pruned_is_a_miss_that_says_so()
    {
        var marker = CacheOutcome.Unique();
        var first = await fixture.BuildAsync(Dockerfile(marker, "a"));
        var layer = first.Step("RUN cat").Record.LayerDigest!.Value;
        Assert.True(fixture.Store.Content.Delete(layer));
        var rebuilt = await fixture.BuildAsync(Dockerfile(marker, "a"));
        // The step runs again; the one after it hits only if the rerun made the same layer (same second, same bytes).
        Assert.StartsWith("CCR", rebuilt.Pattern());
        Assert.Contains("no longer in the store", rebuilt.Step("RUN cat").MissReason);
        Assert.True(fixture.Store.Content.Exists(rebuilt.Step("RUN cat").Record.LayerDigest!.Value));
    }

    [Fact]
    public async Task Step_results_are_committed_under_their_chain_id()
    {
        var marker = CacheOutcome.Unique();
        var built = await fixture.BuildAsync(Dockerfile(marker, "a"));
        var chain = built.Step("RUN echo a > /last").Record.ChainId; // not "RUN echo a": the marker may start with "a"
        Assert.NotNull(chain);
        Assert.Equal(Images.Layers.ChainId.Of(built.Image.DiffIds).ToString(), chain);
        Assert.NotNull(Snapshotter().Stat(chain!));
    }

    private Executor.Snapshots.Snapshotter Snapshotter() => new(Snapshots);
}
