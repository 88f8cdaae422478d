using Ashlar.Builder.Planning;
using Ashlar.Builder.Tests.Support;
using Ashlar.Images.Formats;
using Ashlar.Parser;

namespace Ashlar.Builder.Tests;

public sealed class OpGraphTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private async Task<string> OpDigestAsync(string dockerfile, string? context = null) =>
        (await fixture.BuildAsync(fixture.Request(dockerfile, context))).Result.Metadata["ashlar.op.digest"];

    [Fact]
    public async Task Reformatting_and_renaming_stages_keep_the_op_digest_and_a_real_change_does_not()
    {
        var context = fixture.Context(("a.txt", "a"));
        var original = await OpDigestAsync("FROM busybox AS build\nRUN echo hi > /x\nFROM scratch\nENV A=1\nCOPY --from=build /x /x\nCOPY a.txt /\n", context);
        var reformatted = await OpDigestAsync("from   busybox as renamed\nRUN echo hi > /x\n\nFROM scratch\nENV A 1\nCOPY   --from=renamed   /x   /x\ncopy a.txt /\n", context);
        var changed = await OpDigestAsync("FROM busybox AS build\nRUN echo hi > /x\nFROM scratch\nENV A=2\nCOPY --from=build /x /x\nCOPY a.txt /\n", context);
        Assert.Equal(original, reformatted);
        Assert.NotEqual(original, changed);
    }

    [Fact]
    public async Task Expanded_values_not_raw_text_define_the_op()
    {
        var viaArg = await OpDigestAsync("FROM busybox\nARG DIR=/data\nWORKDIR $DIR\n");
        var literal = await OpDigestAsync("FROM busybox\nARG DIR=/data\nWORKDIR /data\n");
        Assert.Equal(viaArg, literal);
    }

    [Fact]
    public void Planner_prunes_unneeded_stages_and_orders_dependencies_first()
    {
        var dockerfile = DockerfileParser.Parse("""
            FROM busybox AS unused
            FROM busybox AS lib
            FROM busybox AS tool
            RUN --mount=type=bind,from=lib,target=/lib true
            FROM tool
            COPY --from=lib /a /a
            """);
        var plan = Planner.Plan(dockerfile, new Dictionary<string, string>(), PlatformArgs.For(Platform.Current, Platform.Current), null);
        Assert.Equal([1, 2, 3], plan.Order);
        Assert.Equal(StageBaseKind.Stage, plan[3].BaseKind);
        Assert.Equal([2, 1], plan[3].Dependencies);
    }

    [Fact]
    public async Task Independent_stages_run_at_the_same_time_within_jobs()
    {
        var request = fixture.Request("""
            FROM busybox AS left
            RUN sleep 1 && echo left > /left
            FROM busybox AS right
            RUN sleep 1 && echo right > /right
            FROM scratch
            COPY --from=left /left /
            COPY --from=right /right /
            """) with { Jobs = 2 };
        var built = await fixture.BuildAsync(request);
        var events = built.Log.All.Where(e => e.Name.Contains("RUN sleep")).ToList();
        var firstDone = events.FindIndex(e => e.Kind == BuildEventKind.StepDone);
        Assert.Equal(2, events.Take(firstDone).Count(e => e.Kind == BuildEventKind.StepStarted));
    }

    [Fact]
    public async Task Network_none_leaves_only_loopback()
    {
        var files = await fixture.FilesAsync(fixture.Request(
            "FROM busybox\nRUN --network=none tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > /interfaces\n"));
        Assert.Equal("lo\n", File.ReadAllText(Path.Combine(files, "interfaces")));
    }
}
