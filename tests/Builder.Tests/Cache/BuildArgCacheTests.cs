using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>Build args reach a key only where a step can see them.</summary>
public sealed class BuildArgCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private BuildRequest Request(string marker, string context, Dictionary<string, string> args) =>
        fixture.Request($"FROM busybox\nARG USED\nRUN echo {marker} $USED > /out\nCOPY a /a\n", context) with { BuildArgs = args };

    [Fact]
    public async Task An_unused_build_arg_changed_hits_and_a_used_one_misses_naming_it()
    {
        var marker = CacheOutcome.Unique();
        var context = fixture.Context(("a", "a"));
        await fixture.BuildAsync(Request(marker, context, new() { ["USED"] = "1", ["UNUSED"] = "1" }));

        var unused = await fixture.BuildAsync(Request(marker, context, new() { ["USED"] = "1", ["UNUSED"] = "2" }));
        Assert.Equal("CC", unused.Pattern());

        var used = await fixture.BuildAsync(Request(marker, context, new() { ["USED"] = "2", ["UNUSED"] = "2" }));
        Assert.Equal("RR", used.Pattern());
        Assert.Contains("build arg \"USED\" changed", used.Step("RUN").MissReason);
        Assert.Contains("the step before it ran", used.Step("COPY").MissReason);
    }

    [Fact]
    public async Task An_arg_declared_in_another_stage_does_not_reach_this_one()
    {
        var marker = CacheOutcome.Unique();
        var dockerfile = $"FROM busybox AS a\nARG V\nRUN echo $V > /v\nFROM busybox\nRUN echo {marker} > /m\n";
        var first = await fixture.BuildAsync(fixture.Request(dockerfile) with { BuildArgs = new Dictionary<string, string> { ["V"] = "1" } });
        Assert.Equal("R", first.Pattern()); // stage a is not needed by the target
        var second = await fixture.BuildAsync(fixture.Request(dockerfile) with { BuildArgs = new Dictionary<string, string> { ["V"] = "2" } });
        Assert.Equal("C", second.Pattern());
    }
}
