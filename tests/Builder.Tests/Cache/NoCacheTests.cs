using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary><c>--no-cache</c> and <c>--no-cache-filter</c>: the named stages run, the others still hit.</summary>
public sealed class NoCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private static string Dockerfile(string marker) => $"""
        FROM busybox AS deps
        RUN echo deps {marker} > /deps
        FROM busybox AS build
        COPY --from=deps /deps /deps
        RUN echo build {marker} > /build
        FROM busybox
        COPY --from=build /build /build
        """;

    // Reproducible layers (SOURCE_DATE_EPOCH): a stage that runs again makes the same layer, so what builds on it still hits.
    private BuildRequest Request(string marker) => fixture.Request(Dockerfile(marker)) with { SourceDateEpoch = DateTimeOffset.FromUnixTimeSeconds(1700000000) };

    [Fact]
    public async Task No_cache_filter_of_one_stage_misses_only_that_stage()
    {
        var marker = CacheOutcome.Unique();
        await fixture.BuildAsync(Request(marker));
        var filtered = await fixture.BuildAsync(Request(marker) with { NoCacheFilter = ["deps"] });
        Assert.Equal("R", string.Concat(filtered.Result.CacheSteps.Where(s => s.Stage == "deps").Select(s => s.Cached ? 'C' : 'R')));
        Assert.All(filtered.Result.CacheSteps.Where(s => s.Stage != "deps"), s => Assert.True(s.Cached, s.Instruction));
        Assert.Equal("RUN echo deps " + marker + " > /deps ran: --no-cache-filter", filtered.Step("RUN echo deps").MissReason);

        var middle = await fixture.BuildAsync(Request(marker) with { NoCacheFilter = ["build"] });
        Assert.Equal("CRRC", middle.Pattern());
    }

    [Fact]
    public async Task A_stage_that_runs_again_and_makes_a_different_layer_misses_what_builds_on_it()
    {
        var marker = CacheOutcome.Unique();
        var dockerfile = $"FROM busybox AS deps\nRUN echo {marker} > /deps && cat /proc/sys/kernel/random/uuid >> /deps\nFROM busybox\nCOPY --from=deps /deps /deps\n";
        await fixture.BuildAsync(dockerfile);
        var again = await fixture.BuildAsync(fixture.Request(dockerfile) with { NoCacheFilter = ["deps"] });
        Assert.Equal("RR", again.Pattern());
        Assert.Contains("the result of --from changed", again.Step("COPY").MissReason);
    }

    [Fact]
    public async Task No_cache_runs_every_step_and_records_them_for_the_next_build()
    {
        var marker = CacheOutcome.Unique();
        var all = await fixture.BuildAsync(fixture.Request(Dockerfile(marker)) with { NoCache = true });
        Assert.Equal("RRRR", all.Pattern());
        Assert.Equal("CCCC", (await fixture.BuildAsync(Dockerfile(marker))).Pattern());
    }
}
