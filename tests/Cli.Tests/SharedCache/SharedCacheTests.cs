using System.Text;
using Ashlar.Cache.Tests.Remote.Support;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Tests.SharedCache;

/// <summary>
/// Issue 7 end to end: runners with separate stores share a cache through the registry, a local directory, an inline
/// cache or a Redis index, and a cache that is down or corrupt costs a warning, never the build.
/// </summary>
[Collection(SharedCacheCollection.Name)]
public sealed class SharedCacheTests(SharedCacheFixture fixture)
{
    /// <summary>Two stages, a COPY --from between them and RUNs on both sides (the lazy-image tests add a CMD).</summary>
    internal const string Multistage = """
        FROM BASE AS build
        COPY a.txt /src/a.txt
        RUN sed s/hello/built/ /src/a.txt > /out.txt
        FROM BASE
        COPY --from=build /out.txt /app/out.txt
        COPY b.txt /app/b.txt
        RUN cat /app/out.txt /app/b.txt > /app/all.txt
        """;

    private string Context(string b = "b\n") =>
        fixture.Context(Multistage, ("a.txt", $"hello {Guid.NewGuid()}\n"), ("b.txt", b));

    [RegistryFact]
    public async Task Runner_b_with_an_empty_store_gets_every_step_cached_and_the_same_image_from_a_registry_cache()
    {
        var context = Context();
        var cache = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("cache")}:main";

        var a = (await fixture.BuildAsync(fixture.Runner("a"), context, "--cache-to", $"type=registry,ref={cache},mode=max")).Succeeded();
        var b = (await fixture.BuildAsync(fixture.Runner("b"), context, "--cache-from", $"type=registry,ref={cache}")).Succeeded();

        Assert.Equal(5, a.Steps.Count);
        Assert.All(b.Steps, s => Assert.True(s.Cached, $"{s.Step} ran on runner B:\n{b.Outcome.Stderr}"));
        Assert.Equal(a.Steps.Select(s => s.Step), b.Steps.Select(s => s.Step));
        Assert.Equal(a.ImageDigest, b.ImageDigest);
    }

    [RegistryFact]
    public async Task A_changed_file_misses_only_from_its_copy_on()
    {
        var context = Context();
        var cache = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("cache")}:main";
        (await fixture.BuildAsync(fixture.Runner("a"), context, "--cache-to", $"type=registry,ref={cache},mode=max")).Succeeded();

        File.WriteAllText(Path.Combine(context, "b.txt"), "changed\n");
        var b = (await fixture.BuildAsync(fixture.Runner("b"), context, "--cache-from", $"type=registry,ref={cache}")).Succeeded();

        Assert.Equal(
            [("COPY a.txt /src/a.txt", true), ("RUN sed s/hello/built/ /src/a.txt > /out.txt", true), ("COPY --from=build /out.txt /app/out.txt", true),
             ("COPY b.txt /app/b.txt", false), ("RUN cat /app/out.txt /app/b.txt > /app/all.txt", false)],
            b.Steps);
    }

    [RegistryFact]
    public async Task A_local_cache_directory_carries_the_cache_between_runners()
    {
        var context = Context();
        var directory = Path.Combine(fixture.Root, "local-cache-" + Guid.NewGuid().ToString("N")[..6]);

        var a = (await fixture.BuildAsync(fixture.Runner("a"), context, "--cache-to", $"type=local,dest={directory},mode=max")).Succeeded();
        var b = (await fixture.BuildAsync(fixture.Runner("b"), context, "--cache-from", $"type=local,src={directory}")).Succeeded();

        Assert.True(File.Exists(Path.Combine(directory, "index.json")));
        Assert.All(b.Steps, s => Assert.True(s.Cached, $"{s.Step} ran on runner B:\n{b.Outcome.Stderr}"));
        Assert.Equal(a.ImageDigest, b.ImageDigest);
    }

    [RegistryFact]
    public async Task An_inline_cache_in_the_pushed_image_serves_its_steps()
    {
        // One stage: min mode (inline's) carries the final image's steps, and a stage that runs again on runner B
        // would make new layers, so a COPY --from it could not hit anyway.
        var context = fixture.Context("""
            FROM BASE
            COPY a.txt /app/a.txt
            RUN sed s/hello/built/ /app/a.txt > /app/out.txt
            COPY b.txt /app/b.txt
            """, ("a.txt", $"hello {Guid.NewGuid()}\n"), ("b.txt", "b\n"));
        var image = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("inline")}:1";

        (await fixture.BuildAsync(fixture.Runner("a"), context, "-t", image, "--push", "--cache-to", "type=inline")).Succeeded();
        var b = (await fixture.BuildAsync(fixture.Runner("b"), context, "--cache-from", $"type=registry,ref={image}")).Succeeded();

        Assert.Equal(3, b.Steps.Count);
        Assert.All(b.Steps, s => Assert.True(s.Cached, $"{s.Step} ran on runner B:\n{b.Outcome.Stderr}"));
        Assert.Empty(b.Warnings);
    }

    [RegistryFact]
    public async Task A_corrupt_cache_config_is_a_warning_and_the_build_succeeds()
    {
        var cache = ImageReference.Parse($"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("corrupt")}:main");
        var store = ImageStore.Open(Path.Combine(fixture.Root, "corrupt-" + Guid.NewGuid().ToString("N")[..6]));
        var config = await store.PutBytesAsync(Encoding.UTF8.GetBytes("{\"version\":1,\"steps\":[{\"key\":42}]}"), "application/vnd.ashlar.cache.config.v1+json");
        var manifest = await store.PutManifestAsync(new ImageManifest { MediaType = MediaTypes.OciManifest, Config = config, Layers = [] });
        using (var client = new RegistryClient(new RegistryClientOptions { Credentials = null }))
            await client.PushAsync(store.Content, manifest.Digest, cache.Domain, cache.Path, cache.Tag);

        var b = (await fixture.BuildAsync(fixture.Runner("b"), Context(), "--cache-from", $"type=registry,ref={cache}")).Succeeded();

        Assert.Contains(b.Warnings, w => w.Contains($"cache {cache} is not a cache Ashlar can read"));
        Assert.All(b.Steps, s => Assert.False(s.Cached));
    }

    [RedisFact]
    public async Task Two_runners_build_at_once_against_one_redis_index_and_one_registry()
    {
        var cache = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("fleet")}:main";
        var index = $"redis://{Environment.GetEnvironmentVariable("ASHLAR_TEST_REDIS")!.Trim()}/1";
        var shared = $"hello {Guid.NewGuid()}\n";
        var contexts = new[] { fixture.Context(Multistage, ("a.txt", shared), ("b.txt", "one\n")), fixture.Context(Multistage, ("a.txt", shared), ("b.txt", "two\n")) };
        var outputs = contexts.Select(_ => Path.Combine(fixture.Root, "out-" + Guid.NewGuid().ToString("N")[..6])).ToArray();

        var builds = await Task.WhenAll(contexts.Select((context, i) => fixture.BuildAsync(fixture.Runner($"fleet{i}"), context,
            "--cache-index", index, "--cache-to", $"type=registry,ref={cache},mode=max", "-o", $"type=local,dest={outputs[i]}")));

        Assert.All(builds, b => b.Succeeded());
        var expected = shared.Replace("hello", "built");
        Assert.Equal(expected + "one\n", File.ReadAllText(Path.Combine(outputs[0], "app", "all.txt")));
        Assert.Equal(expected + "two\n", File.ReadAllText(Path.Combine(outputs[1], "app", "all.txt")));

        // A third runner takes the shared build stage from the index. (Which runner's final stage it can follow depends
        // on which one recorded the build stage last: the two made different layers for it, and a key folds its parent's layer.)
        var third = (await fixture.BuildAsync(fixture.Runner("fleet2"), contexts[0], "--cache-index", index, "--cache-from", $"type=registry,ref={cache}")).Succeeded();
        Assert.All(third.Steps.Take(2), s => Assert.True(s.Cached, $"{s.Step} ran on the third runner:\n{third.Outcome.Stderr}"));
    }

    [RedisFact]
    public async Task A_runner_sees_another_runners_results_through_the_index_alone()
    {
        var cache = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("fleet")}:main";
        var index = $"redis://{Environment.GetEnvironmentVariable("ASHLAR_TEST_REDIS")!.Trim()}/1";
        var context = Context();

        var a = (await fixture.BuildAsync(fixture.Runner("a"), context, "--cache-index", index, "--cache-to", $"type=registry,ref={cache},mode=max")).Succeeded();
        // No --cache-from: the records come from Redis only; the layers from the registry cache both export to.
        var b = (await fixture.BuildAsync(fixture.Runner("b"), context, "--cache-index", index, "--cache-to", $"type=registry,ref={cache},mode=max")).Succeeded();

        Assert.All(b.Steps, s => Assert.True(s.Cached, $"{s.Step} ran on runner B:\n{b.Outcome.Stderr}"));
        Assert.Equal(a.ImageDigest, b.ImageDigest);
    }

    [RegistryFact]
    public async Task A_cache_index_nobody_answers_on_is_one_warning_and_the_build_succeeds()
    {
        var b = (await fixture.BuildAsync(fixture.Runner("b"), Context(), "--cache-index", $"redis://127.0.0.1:{RedisProcess.FreePort()}")).Succeeded();

        Assert.Single(b.Warnings, w => w.Contains("cache index redis://127.0.0.1:") && w.Contains("building without it"));
    }

    [RedisFact]
    public async Task Redis_stopped_mid_build_is_a_warning_and_the_build_succeeds()
    {
        using var redis = await RedisProcess.StartAsync();
        var context = fixture.Context("""
            FROM BASE
            COPY a.txt /a.txt
            RUN sleep 3
            RUN cat /a.txt > /b.txt
            """, ("a.txt", $"hello {Guid.NewGuid()}\n"));

        var build = fixture.BuildAsync(fixture.Runner("b"), context, "--cache-index", $"redis://127.0.0.1:{redis.Port}");
        await Task.Delay(TimeSpan.FromSeconds(2));
        redis.Stop();
        var b = (await build).Succeeded();

        Assert.Single(b.Warnings, w => w.Contains($"cache index redis://127.0.0.1:{redis.Port}/0 is unavailable"));
        Assert.Equal(3, b.Steps.Count);
    }

    [RegistryFact]
    public async Task Cache_mount_contents_exported_on_request_fill_runner_b_s_empty_cache_mount()
    {
        var directory = Path.Combine(fixture.Root, "mounts-cache-" + Guid.NewGuid().ToString("N")[..6]);
        var id = $"downloads-{Guid.NewGuid().ToString("N")[..6]}";
        var fill = fixture.Context($"""
            FROM BASE
            RUN --mount=type=cache,id={id},target=/var/cache/dl echo fetched-once > /var/cache/dl/pkg
            """);
        var use = fixture.Context($"""
            FROM BASE
            RUN --mount=type=cache,id={id},target=/var/cache/dl cp /var/cache/dl/pkg /pkg
            """);
        var output = Path.Combine(fixture.Root, "out-" + Guid.NewGuid().ToString("N")[..6]);

        (await fixture.BuildAsync(fixture.Runner("a"), fill, "--cache-to", $"type=local,dest={directory},mode=max,cache-mounts=true")).Succeeded();
        (await fixture.BuildAsync(fixture.Runner("b"), use, "--cache-from", $"type=local,src={directory}", "-o", $"type=local,dest={output}")).Succeeded();

        Assert.Equal("fetched-once\n", File.ReadAllText(Path.Combine(output, "pkg")));
    }
}
