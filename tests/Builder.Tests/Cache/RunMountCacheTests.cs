using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>What RUN mounts bring into a key: a bind mount's source content, a cache mount's id (never its contents).</summary>
public sealed class RunMountCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task A_bind_mounted_context_file_that_changed_misses_and_a_touched_one_hits()
    {
        var marker = CacheOutcome.Unique();
        var context = fixture.Context(("tools/run.sh", $"echo {marker}"), ("other.txt", "o"));
        var dockerfile = "FROM busybox\nRUN --mount=type=bind,source=tools,target=/tools sh /tools/run.sh > /out\n";
        await fixture.BuildAsync(dockerfile, context);

        File.SetLastWriteTimeUtc(Path.Combine(context, "tools/run.sh"), DateTime.UtcNow.AddMinutes(5));
        File.WriteAllText(Path.Combine(context, "other.txt"), "not mounted");
        Assert.Equal("C", (await fixture.BuildAsync(dockerfile, context)).Pattern());

        File.WriteAllText(Path.Combine(context, "tools/run.sh"), $"echo changed {marker}");
        var changed = await fixture.BuildAsync(dockerfile, context);
        Assert.Equal("R", changed.Pattern());
        Assert.Contains("mount \"/tools\" changed", changed.Step("RUN").MissReason);
    }

    [Fact]
    public async Task A_cache_mount_id_is_part_of_the_key_and_its_contents_are_not()
    {
        var marker = CacheOutcome.Unique();
        string Dockerfile(string id) => $"FROM busybox\nRUN --mount=type=cache,id={id},target=/c date >> /c/log && echo {marker} > /m\n";
        await fixture.BuildAsync(Dockerfile("a-" + marker));
        // The first build wrote into the cache: its contents changed, the key did not.
        Assert.Equal("C", (await fixture.BuildAsync(Dockerfile("a-" + marker))).Pattern());
        var other = await fixture.BuildAsync(Dockerfile("b-" + marker));
        Assert.Equal("R", other.Pattern());
        Assert.Contains("definition changed", other.Step("RUN").MissReason);
    }
}
