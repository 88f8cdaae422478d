using System.Collections.Concurrent;
using Ashlar.Builder.Tests.Support;
using Ashlar.Images.Archives;
using Ashlar.Images.Store;

namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// One private dockerd and one Ashlar store for the whole differential collection, both holding the same busybox base
/// (made in the store from busybox-static, saved as a docker-archive and <c>docker load</c>ed). Every case is built by
/// both engines as soon as the fixture is up, a few at a time; the tests only wait for and compare results.
/// </summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    /// <summary>Set to 1 to skip the suite where no dockerd can run (never in CI, where it must).</summary>
    public const string SkipVariable = "ASHLAR_SKIP_DIFFERENTIAL";

    // Two cases at once, each building with both engines: four builds on the CI's two cores.
    private readonly SemaphoreSlim _gate = new(2);
    private readonly ConcurrentDictionary<string, Lazy<Task<CaseResult>>> _results = new();
    private DockerDaemon? _docker;
    private ImageStore _store = null!;

    public static string? SkipReason =>
        Environment.GetEnvironmentVariable(SkipVariable) is "1" or "true" ? $"{SkipVariable} is set: no BuildKit to compare with" : null;

    public string Root { get; } = Directory.CreateTempSubdirectory("ashlar-differential-").FullName;

    /// <summary>Unix seconds when the builds began: a file time before it came from an input, not a build's clock.</summary>
    public long BuildsStarted { get; private set; }

    public async Task InitializeAsync()
    {
        if (SkipReason is not null) return;
        NativeInit.EnsureConfigured();
        _store = ImageStore.Open(Path.Combine(Root, "store"));
        await BusyboxImage.ImportAsync(_store);
        var busybox = Path.Combine(Root, "busybox.tar");
        await using (var file = File.Create(busybox))
            await ImageArchiveWriter.WriteAsync(_store, [BusyboxImage.Name], file, ImageArchiveFormat.Docker);

        _docker = await StartDockerAsync();
        var loaded = await _docker.RunAsync(["load", "-i", busybox]);
        if (loaded.ExitCode != 0) throw new InvalidOperationException($"docker load of the busybox base failed: {loaded.Stderr}");

        BuildsStarted = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        foreach (var name in DifferentialCase.Names()) _ = ResultAsync(name);
    }

    public async Task DisposeAsync()
    {
        foreach (var result in _results.Values)
        {
            try { await result.Value; }
            catch (Exception) { } // reported by the test that awaited it
        }
        if (_docker is not null) await _docker.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }

    /// <summary>Both engines' images of case <paramref name="name"/> (built once).</summary>
    internal Task<CaseResult> ResultAsync(string name) =>
        _results.GetOrAdd(name, n => new Lazy<Task<CaseResult>>(() => BuildAsync(n))).Value;

    private static async Task<DockerDaemon> StartDockerAsync()
    {
        // overlay2 where the temporary directory's filesystem allows it (CI, this machine), vfs otherwise.
        try
        {
            return await DockerDaemon.StartAsync("overlay2", CancellationToken.None);
        }
        catch (InvalidOperationException first)
        {
            try
            {
                return await DockerDaemon.StartAsync("vfs", CancellationToken.None);
            }
            catch (InvalidOperationException second)
            {
                throw new InvalidOperationException(
                    $"The differential tests need a private dockerd (root, Debian's docker.io). It did not start with overlay2 ({first.Message}) "
                    + $"nor with vfs ({second.Message}). Set {SkipVariable}=1 to skip these tests on a machine without one.");
            }
        }
    }

    private async Task<CaseResult> BuildAsync(string name)
    {
        await _gate.WaitAsync();
        try
        {
            var work = Directory.CreateDirectory(Path.Combine(Root, name)).FullName;
            var context = Path.Combine(work, "context");
            await DifferentialCase.PrepareAsync(name, context);
            var buildKit = BuildWithBuildKitAsync(name, context, Path.Combine(work, "buildkit.tar"));
            var ashlar = BuildWithAshlarAsync(context, Path.Combine(work, "ashlar.tar"));
            return new CaseResult(await buildKit, await ashlar);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Built> BuildWithBuildKitAsync(string name, string context, string archive)
    {
        var tag = "differential-" + name.ToLowerInvariant();
        // --network none: the private daemon has no bridge, and Ashlar builds with the same setting.
        var built = await _docker!.RunAsync(["build", "--network", "none", "--progress", "plain", "-t", tag, context]);
        if (built.ExitCode != 0) return new Built(null, $"docker build failed ({built.ExitCode}):\n{Tail(built.Stderr)}");
        var saved = await _docker.RunAsync(["save", "-o", archive, tag]);
        if (saved.ExitCode != 0) return new Built(null, $"docker save failed: {saved.Stderr}");
        return new Built(await SavedImage.ReadAsync(archive), null);
    }

    private async Task<Built> BuildWithAshlarAsync(string context, string archive)
    {
        try
        {
            await Builder.BuildAsync(new BuildRequest
            {
                ContextDirectory = context,
                StoreRoot = _store.Root,
                Network = BuildNetwork.None,
                Outputs = [new BuildOutput(BuildOutputType.Docker, archive)],
                Jobs = 2,
            });
        }
        catch (BuildException e)
        {
            return new Built(null, $"ashlar build failed: {e.Message}");
        }
        return new Built(await SavedImage.ReadAsync(archive), null);
    }

    private static string Tail(string text) => string.Join('\n', text.TrimEnd().Split('\n').TakeLast(12));

    internal sealed record Built(SavedImage? Image, string? Error);

    internal sealed record CaseResult(Built BuildKit, Built Ashlar);
}
