using System.Text.Json;
using Ashlar.Builder.Tests.Support;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Tests.SharedCache;

/// <summary>
/// Runners of one CI fleet: each runner is an <c>ashlar</c> process with a store of its own (<c>--root</c>), all
/// building <c>FROM</c> one busybox image in the test registry, which also holds their exported caches.
/// </summary>
public sealed class SharedCacheFixture : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ashlar-shared-cache-").FullName;

    /// <summary><c>host:port</c> of the test registry.</summary>
    public string Registry => Environment.GetEnvironmentVariable("ASHLAR_TEST_REGISTRY")!.Trim();

    /// <summary>The base image every runner pulls.</summary>
    public string Base { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ASHLAR_TEST_REGISTRY"))) return;
        var store = ImageStore.Open(Path.Combine(Root, "seed"));
        await BusyboxImage.ImportAsync(store);
        Base = $"{Registry}/{UniqueRepository("busybox")}:1";
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        await client.PushAsync(store, BusyboxImage.Name, ImageReference.Parse(Base));
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>A repository no other test (or earlier run) uses.</summary>
    public static string UniqueRepository(string purpose) => $"ashlar-test/{purpose}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>A new runner: an empty store.</summary>
    public string Runner(string name) => Directory.CreateDirectory(Path.Combine(Root, $"runner-{name}-{Guid.NewGuid().ToString("N")[..6]}")).FullName;

    /// <summary>A context with the files and the Dockerfile (its <c>BASE</c> replaced with the base image).</summary>
    public string Context(string dockerfile, params (string Path, string Content)[] files)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Root, "ctx-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile.Replace("BASE", Base));
        foreach (var (path, content) in files)
            File.WriteAllText(Path.Combine(dir, path), content);
        return dir;
    }

    /// <summary>Runs <c>ashlar --root RUNNER build --progress rawjson ... CONTEXT</c>.</summary>
    internal async Task<RunnerBuild> BuildAsync(string runner, string context, params string[] flags)
    {
        var metadata = Path.Combine(Root, "metadata-" + Guid.NewGuid().ToString("N")[..8] + ".json");
        var outcome = await AshlarProcess.RunAsync(["--root", runner, "build", "--progress", "rawjson", "--metadata-file", metadata, .. flags, context]);
        string? digest = null;
        if (File.Exists(metadata))
            using (var document = JsonDocument.Parse(File.ReadAllText(metadata)))
                digest = document.RootElement.GetProperty("containerimage.digest").GetString();
        return new RunnerBuild(outcome, digest);
    }
}

/// <summary>One runner's build: its exit, output and image digest, and each layer step's outcome.</summary>
internal sealed record RunnerBuild(AshlarProcess.Outcome Outcome, string? ImageDigest)
{
    /// <summary>The COPY/ADD/RUN steps in the order they started, each with whether it came from the cache.</summary>
    public IReadOnlyList<(string Step, bool Cached)> Steps
    {
        get
        {
            var names = new Dictionary<int, string>();
            var cached = new HashSet<int>();
            foreach (var line in Outcome.Stderr.Split('\n'))
            {
                if (!line.StartsWith('{')) continue;
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (!root.TryGetProperty("step", out var stepNumber)) continue; // warnings and the closing result
                var step = stepNumber.GetInt32();
                var name = root.GetProperty("name").GetString()!;
                switch (root.GetProperty("kind").GetString())
                {
                    case "started": names.TryAdd(step, name); break;
                    case "cached": names.TryAdd(step, name); cached.Add(step); break;
                }
            }
            return names.OrderBy(p => p.Key)
                .Where(p => p.Value.Contains("] COPY ") || p.Value.Contains("] RUN ") || p.Value.Contains("] ADD "))
                .Select(p => (p.Value[(p.Value.IndexOf("] ", StringComparison.Ordinal) + 2)..], cached.Contains(p.Key)))
                .ToList();
        }
    }

    /// <summary>The WARNING lines (plain text beside the JSON events).</summary>
    public IEnumerable<string> Warnings => Outcome.Stderr.Split('\n').Where(l => l.StartsWith("WARNING: ", StringComparison.Ordinal) || l.Contains("\"kind\":\"warning\""));

    /// <summary>Fails with the whole output unless the build succeeded.</summary>
    public RunnerBuild Succeeded()
    {
        Assert.True(Outcome.ExitCode == 0, $"exit {Outcome.ExitCode}\n{Outcome.Stderr}\n{Outcome.Stdout}");
        return this;
    }
}

[CollectionDefinition(Name)]
public sealed class SharedCacheCollection : ICollectionFixture<SharedCacheFixture>
{
    public const string Name = "shared cache";
}
