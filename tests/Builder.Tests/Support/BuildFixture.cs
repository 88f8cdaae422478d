using Ashlar.Images.Store;

namespace Ashlar.Builder.Tests.Support;

/// <summary>A temporary store with busybox:latest, shared by a test class; each build gets its own context directory.</summary>
public sealed class BuildFixture : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ashlar-builder-tests-").FullName;
    public string StoreRoot => Path.Combine(Root, "store");
    internal ImageStore Store { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        NativeInit.EnsureConfigured();
        Store = ImageStore.Open(StoreRoot);
        await BusyboxImage.ImportAsync(Store);
    }

    public Task DisposeAsync()
    {
        // Overlay-written files may be owned by other uids; root removes them all.
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>A fresh context directory with the given files (path → content).</summary>
    public string Context(params (string Path, string Content)[] files)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Root, "ctx-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return dir;
    }

    public BuildRequest Request(string dockerfile, string? context = null) => new()
    {
        ContextDirectory = context ?? Context(),
        DockerfileText = dockerfile,
        StoreRoot = StoreRoot,
        Jobs = 2,
    };

    /// <summary>Builds, collecting events.</summary>
    public async Task<Built> BuildAsync(BuildRequest request)
    {
        var events = new EventLog();
        var result = await Builder.BuildAsync(request, events);
        var image = await Store.LoadImageAsync(result.ImageDigest);
        return new Built(this, result, image, events);
    }

    public Task<Built> BuildAsync(string dockerfile, string? context = null) => BuildAsync(Request(dockerfile, context));

    /// <summary>The image's files, exported with --output type=local.</summary>
    public async Task<string> FilesAsync(BuildRequest request)
    {
        var dest = Path.Combine(Root, "out-" + Guid.NewGuid().ToString("N")[..8]);
        await Builder.BuildAsync(request with { Outputs = [new BuildOutput(BuildOutputType.Local, dest)] });
        return dest;
    }
}

internal sealed class EventLog : IProgress<BuildEvent>
{
    private readonly List<BuildEvent> _events = [];
    public void Report(BuildEvent value) { lock (_events) _events.Add(value); }
    public IReadOnlyList<BuildEvent> All { get { lock (_events) return [.. _events]; } }
    public IEnumerable<string> Output => All.Where(e => e.Kind == BuildEventKind.StepOutput).Select(e => e.Text!);
}

public sealed record Built(BuildFixture Fixture, BuildResult Result, Ashlar.Images.Store.StoredImage Image, object Events)
{
    public Ashlar.Images.Formats.ContainerConfig Config => Image.Config.Config!;
    internal EventLog Log => (EventLog)Events;
}
