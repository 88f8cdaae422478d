using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>COPY hashes context files through the store's persistent stat cache: an unchanged context costs stats, not reads.</summary>
public sealed class ContextStatCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private string StatFile => Path.Combine(fixture.StoreRoot, "cache", "context-stat");

    [Fact]
    public async Task Builds_remember_context_digests_and_an_unchanged_rebuild_hashes_nothing_again()
    {
        var marker = CacheOutcome.Unique();
        var files = Enumerable.Range(0, 50).Select(i => ($"src/f{i:00}.txt", $"{marker} {i}")).Append(("ignored/big.bin", "x")).Append((".dockerignore", "ignored\n")).ToArray();
        var context = fixture.Context(files);
        var dockerfile = $"FROM busybox\nCOPY . /ctx/\nRUN echo {marker}\n";
        await fixture.BuildAsync(dockerfile, context);

        var cache = await ContextStatCache.LoadAsync(StatFile);
        var tree = await BuildContext.OpenAsync(context, null, cache);
        var plan = await CopyOperation.PrepareAsync(new CopySpec { Sources = ["."], Destination = "/ctx/" }, tree);
        await plan.ComputeSourceDigestAsync();
        // Every selected file's digest (the 50 and .dockerignore itself) came from the cache the build saved; the ignored file was never selected.
        Assert.Equal(51, cache.Hits);
        Assert.DoesNotContain(plan.Entries, e => e.SourcePath?.StartsWith("ignored", StringComparison.Ordinal) == true);

        var saved = File.GetLastWriteTimeUtc(StatFile);
        var rebuilt = await fixture.BuildAsync(dockerfile, context);
        Assert.Equal("CC", rebuilt.Pattern());
        Assert.Equal(saved, File.GetLastWriteTimeUtc(StatFile)); // nothing new was hashed, so nothing was saved
    }
}
