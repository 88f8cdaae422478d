using Ashlar.Builder.Tests.Support;
using Ashlar.Images.References;
using Ashlar.Images.Registry;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>A base image is keyed by its manifest digest, pinned once per build; <c>--pull</c> re-resolves it.</summary>
public sealed class BaseImageCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private async Task<string> MakeImageAsync(string name, string label)
    {
        // Fixed times: the same label makes the same image (digest) again.
        var built = await fixture.BuildAsync(fixture.Request($"FROM busybox\nLABEL v={label}\n") with
        {
            Tags = [name],
            SourceDateEpoch = DateTimeOffset.FromUnixTimeSeconds(1700000000),
        });
        return built.Result.ImageDigest;
    }

    [Fact]
    public async Task A_base_retagged_to_a_new_digest_misses_and_the_old_digest_still_hits()
    {
        var marker = CacheOutcome.Unique();
        var name = $"cache-base-{marker}:latest";
        await MakeImageAsync(name, "1");
        var dockerfile = $"FROM {name}\nRUN echo {marker} > /m\n";
        Assert.Equal("R", (await fixture.BuildAsync(dockerfile)).Pattern());
        Assert.Equal("C", (await fixture.BuildAsync(dockerfile)).Pattern());

        var moved = await MakeImageAsync(name, "2");
        var rebuilt = await fixture.BuildAsync(dockerfile);
        Assert.Equal("R", rebuilt.Pattern());
        Assert.Contains($"nothing was built on {name} ({moved[..19]}) before", rebuilt.Step("RUN").MissReason);
        await MakeImageAsync(name, "1");
        Assert.Equal("C", (await fixture.BuildAsync(dockerfile)).Pattern());
    }

    [Fact]
    public async Task Pull_re_resolves_a_tag_the_registry_moved()
    {
        var registry = Environment.GetEnvironmentVariable("ASHLAR_TEST_REGISTRY");
        if (string.IsNullOrWhiteSpace(registry)) return; // CI sets it (.ci/run starts a registry); nothing to pull from here
        var marker = CacheOutcome.Unique();
        var remote = ImageReference.Parse($"{registry.Trim()}/ashlar-test/cache-base-{marker}:1");
        using var client = new RegistryClient(new RegistryClientOptions());
        var local = $"cache-pull-{marker}:latest";

        await MakeImageAsync(local, "1");
        await client.PushAsync(fixture.Store, local, remote);
        var dockerfile = $"FROM {remote}\nRUN echo {marker} > /m\n";
        Assert.Equal("R", (await fixture.BuildAsync(fixture.Request(dockerfile) with { Pull = true })).Pattern());
        Assert.Equal("C", (await fixture.BuildAsync(fixture.Request(dockerfile) with { Pull = true })).Pattern());

        await MakeImageAsync(local, "2");
        await client.PushAsync(fixture.Store, local, remote);
        // Without --pull the store's copy of the tag is used (still the old digest): a hit.
        Assert.Equal("C", (await fixture.BuildAsync(dockerfile)).Pattern());
        var pulled = await fixture.BuildAsync(fixture.Request(dockerfile) with { Pull = true });
        Assert.Equal("R", pulled.Pattern());
        Assert.Equal("2", pulled.Config.Labels!["v"]);
    }
}
