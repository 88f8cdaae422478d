using System.Formats.Tar;
using Ashlar.Images.Content;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Registry.Support;

namespace Ashlar.Cli.Tests.SharedCache;

/// <summary>
/// Issue 7's lazy local image: runner B, an empty store, rebuilds from runner A's registry cache with every step
/// CACHED and writes the image without downloading its layers; run, an archive export and push fetch (or mount) them
/// when they need them, and a cache registry that is gone by then gives a clear error and leaves the store sound.
/// </summary>
[Collection(SharedCacheCollection.Name)]
public sealed class LazyImageTests(SharedCacheFixture fixture)
{
    private const string Multistage = SharedCacheTests.Multistage + """

        CMD ["cat", "/app/all.txt"]
        """;

    private (string Context, string Id) Context()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        return (fixture.Context(Multistage, ("a.txt", $"hello {id}\n"), ("b.txt", "b\n")), id);
    }

    /// <summary>A builds and exports to <paramref name="cache"/>; B imports it and builds app:1. Returns B's store and build.</summary>
    private async Task<(string B, RunnerBuild Build, RunnerBuild A)> ImportedAsync(string context, string cache, params string[] flags)
    {
        var a = (await fixture.BuildAsync(fixture.Runner("a"), context, "-t", "app:1", "--cache-to", $"type=registry,ref={cache},mode=max")).Succeeded();
        var runnerB = fixture.Runner("b");
        var b = (await fixture.BuildAsync(runnerB, context, ["-t", "app:1", "--cache-from", $"type=registry,ref={cache}", .. flags])).Succeeded();
        Assert.All(b.Steps, s => Assert.True(s.Cached, $"{s.Step} ran on runner B:\n{b.Outcome.Stderr}"));
        Assert.Equal(a.ImageDigest, b.ImageDigest);
        return (runnerB, b, a);
    }

    /// <summary>The image's layers that are not the base image's (what runner B would have had to download).</summary>
    private static async Task<List<Digest>> BuiltLayersAsync(string runner, string imageDigest)
    {
        var store = ImageStore.Open(runner);
        var manifest = await store.LoadManifestAsync(Digest.Parse(imageDigest));
        return manifest.Layers.Skip(1).Select(l => l.Digest).ToList();
    }

    [RegistryFact]
    public async Task Runner_b_writes_the_image_without_its_layers_and_fetches_them_only_to_run_it()
    {
        var (context, id) = Context();
        var cache = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("lazy")}:main";
        var (runner, b, _) = await ImportedAsync(context, cache);

        var built = await BuiltLayersAsync(runner, b.ImageDigest!);
        var store = ImageStore.Open(runner);
        Assert.Equal(3, built.Count);
        Assert.All(built, d => Assert.False(store.Content.Exists(d), $"runner B downloaded layer {d}"));
        Assert.All(built, d => Assert.True(store.Lazy.IsLazy(d)));
        Assert.Contains("(0 layers)", b.Outcome.Stderr.Split('\n').Single(l => l.StartsWith("cache transfer:", StringComparison.Ordinal)));

        var check = await AshlarProcess.RunAsync("--root", runner, "check");
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        Assert.Contains("3 layers are lazy", check.Stdout);
        var images = await AshlarProcess.RunAsync("--root", runner, "images");
        Assert.Contains("app ", images.Stdout);

        var run = await AshlarProcess.RunAsync("--root", runner, "run", "app:1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal($"built {id}\nb\n", run.Stdout);
        Assert.All(built, d => Assert.True(store.Content.Exists(d)));
        Assert.All(built, d => Assert.False(store.Lazy.IsLazy(d)));
    }

    [RegistryFact]
    public async Task Runner_b_exports_the_lazy_image_as_a_docker_archive_and_pushes_it_by_mounting_its_layers()
    {
        var (context, _) = Context();
        var cache = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("lazy")}:main";
        var archive = Path.Combine(fixture.Root, $"lazy-{Guid.NewGuid():N}.tar");
        var (runner, b, _) = await ImportedAsync(context, cache, "--output", $"type=docker,dest={archive}");

        var entries = new List<string>();
        await using (var file = File.OpenRead(archive))
        await using (var tar = new TarReader(file))
            while (await tar.GetNextEntryAsync() is { } entry) entries.Add(entry.Name);
        var built = await BuiltLayersAsync(runner, b.ImageDigest!);
        Assert.All(built, d => Assert.Contains($"blobs/sha256/{d.Hex}", entries));
        Assert.Contains("manifest.json", entries);

        // A second runner exports the cache and pushes its lazy image elsewhere in the same registry: the layers are
        // mounted, never downloaded.
        var reexport = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("lazy-again")}:main";
        var (pusher, pushed, _) = await ImportedAsync(context, cache, "--cache-to", $"type=registry,ref={reexport},mode=max");
        var transfer = pushed.Outcome.Stderr.Split('\n').Single(l => l.StartsWith("cache transfer:", StringComparison.Ordinal));
        Assert.Matches(@"^cache transfer: received \S+ \(0 layers\), sent \S+ \(0 layers\)$", transfer);
        var destination = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("pushed")}:1";
        var push = await AshlarProcess.RunAsync("--root", pusher, "push", "app:1", destination);
        Assert.True(push.ExitCode == 0, push.Stdout + push.Stderr);
        Assert.Equal(3, push.Stdout.Split('\n').Count(l => l.EndsWith("Mounted from another repository", StringComparison.Ordinal)));
        var store = ImageStore.Open(pusher);
        Assert.All(await BuiltLayersAsync(pusher, pushed.ImageDigest!), d => Assert.False(store.Content.Exists(d)));

        var pulled = fixture.Runner("pulled");
        Assert.Equal(0, (await AshlarProcess.RunAsync("--root", pulled, "pull", destination)).ExitCode);
        var pulledStore = ImageStore.Open(pulled);
        Assert.NotNull(await pulledStore.ResolveAsync(Images.References.ImageReference.Parse(destination)));
        // As docker pull: the layers are unpacked into snapshots, so a first build or run mounts them at once.
        var snapshots = Executor.Snapshots.ImageSnapshots.Open(pulledStore);
        var image = await pulledStore.LoadImageAsync(destination);
        Assert.All(Images.Layers.ChainId.ForEachLayer(image.DiffIds),
            chain => Assert.Equal(Executor.Snapshots.SnapshotKind.Committed, snapshots.Stat(chain.ToString())?.Kind));
    }

    [RegistryFact]
    public async Task A_cache_registry_gone_before_the_fetch_fails_run_and_export_clearly_and_leaves_the_store_sound()
    {
        var (context, _) = Context();
        var registry = await RegistryProcess.StartAsync();
        string runner, imageDigest;
        try
        {
            var cache = $"{registry.Host}/{SharedCacheFixture.UniqueRepository("lazy")}:main";
            var (b, build, _) = await ImportedAsync(context, cache);
            (runner, imageDigest) = (b, build.ImageDigest!);
        }
        finally
        {
            await registry.DisposeAsync();
        }

        var run = await AshlarProcess.RunAsync("--root", runner, "run", "app:1");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("image app:1", run.Stderr);
        Assert.Contains("fetching it failed", run.Stderr);
        Assert.Contains(registry.Host, run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr); // a message, not a stack trace

        var directory = Directory.CreateDirectory(Path.Combine(fixture.Root, $"gone-{Guid.NewGuid():N}")).FullName;
        var save = await AshlarProcess.RunAsync("--root", runner, "save", "-o", Path.Combine(directory, "app.tar"), "app:1");
        Assert.NotEqual(0, save.ExitCode);
        Assert.Contains("fetching it failed", save.Stderr);
        Assert.Empty(Directory.GetFiles(directory)); // no archive, whole or half

        var check = await AshlarProcess.RunAsync("--root", runner, "check");
        Assert.True(check.ExitCode == 0, check.Stdout + check.Stderr);
        var store = ImageStore.Open(runner);
        Assert.All(await BuiltLayersAsync(runner, imageDigest), d => Assert.True(store.Lazy.IsLazy(d)));
        Assert.NotNull(await store.ResolveAsync(Images.References.ImageReference.Parse("app:1")));
    }

    [RedisFact]
    public async Task A_runner_given_only_the_redis_index_finds_the_layers_where_the_records_say_and_leaves_them_there()
    {
        var (context, id) = Context();
        var cache = $"{fixture.Registry}/{SharedCacheFixture.UniqueRepository("fleet")}:main";
        var index = $"redis://{Environment.GetEnvironmentVariable("ASHLAR_TEST_REDIS")!.Trim()}/1";
        var a = (await fixture.BuildAsync(fixture.Runner("a"), context, "-t", "app:1", "--cache-index", index, "--cache-to", $"type=registry,ref={cache},mode=max")).Succeeded();

        // No --cache-from or --cache-to: each shared record names the repository its layer was published to.
        var runner = fixture.Runner("b");
        var b = (await fixture.BuildAsync(runner, context, "-t", "app:1", "--cache-index", index)).Succeeded();

        Assert.All(b.Steps, s => Assert.True(s.Cached, $"{s.Step} ran on runner B:\n{b.Outcome.Stderr}"));
        Assert.Equal(a.ImageDigest, b.ImageDigest);
        var store = ImageStore.Open(runner);
        Assert.All(await BuiltLayersAsync(runner, b.ImageDigest!), d => Assert.True(store.Lazy.IsLazy(d)));
        var run = await AshlarProcess.RunAsync("--root", runner, "run", "app:1");
        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Equal($"built {id}\nb\n", run.Stdout);
    }
}
