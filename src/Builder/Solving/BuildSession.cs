using System.Collections.Concurrent;
using Ashlar.Builder.Graph;
using Ashlar.Builder.Planning;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Compression;
using Ashlar.Images.Formats;
using Ashlar.Images.Layers;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Store;
using Ashlar.Parser.Shell;

namespace Ashlar.Builder.Solving;

/// <summary>What every stage of one build shares: the store, snapshots, the plan, progress, and the cleanup list.</summary>
internal sealed class BuildSession : IDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> ExtractionLocks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Lazy<Task<BaseImage>>> _images = new(StringComparer.Ordinal);
    private readonly List<string> _stepSnapshots = [];
    private int _keys;

    public BuildSession(ImageStore store, BuildRequest request, BuildPlan plan, Platform platform, StepReporter reporter, string contextDirectory)
    {
        Store = store;
        Request = request;
        Plan = plan;
        Platform = platform;
        Reporter = reporter;
        ContextDirectory = contextDirectory;
        Snapshots = ImageSnapshots.Open(store);
        BuildId = Guid.NewGuid().ToString("N")[..12];
        // Held until Dispose (the kernel drops it if we are killed): prune leaves what this build makes alone.
        Lease = StoreLease.Acquire(store.Root, SnapshotOwner.BuildLease(BuildId));
        new StoreGarbageCollector(store, SnapshotPruner.ForStore(store.Root)).CollectLeftovers(); // of builds that were killed
        ScratchDirectory = Path.Combine(store.Root, "tmp", "build-" + BuildId);
        Directory.CreateDirectory(ScratchDirectory);
        Lexer = new ShellLexer(plan.Dockerfile.EscapeToken);
        Created = (request.SourceDateEpoch ?? DateTimeOffset.UtcNow).UtcDateTime;
    }

    public ImageStore Store { get; }
    public BuildRequest Request { get; }
    public BuildPlan Plan { get; }
    public Platform Platform { get; }
    public StepReporter Reporter { get; }
    public string ContextDirectory { get; }
    public Snapshotter Snapshots { get; }
    public string BuildId { get; }
    public StoreLease Lease { get; }
    public string ScratchDirectory { get; }
    public ShellLexer Lexer { get; }
    public DateTime Created { get; }
    public LocalContextOp Context { get; } = new("context");
    public ConcurrentBag<string> UsedBuildArgs { get; } = [];

    private Task<Ashlar.Builder.Context.BuildContext>? _contextTree;

    /// <summary>The build context with its .dockerignore, opened once per build.</summary>
    public Task<Ashlar.Builder.Context.BuildContext> ContextTreeAsync(CancellationToken cancellationToken) =>
        _contextTree ??= Ashlar.Builder.Context.BuildContext.OpenAsync(ContextDirectory,
            Request.DockerfilePath is null ? null : Path.GetFullPath(Request.DockerfilePath), null, cancellationToken);

    public string NewKey(string kind) => $"build:{BuildId}:{kind}:{Interlocked.Increment(ref _keys)}";

    /// <summary>Commits an active snapshot as a step result that lives until the build ends.</summary>
    public string CommitStep(string activeKey)
    {
        var name = NewKey("step");
        Snapshots.Commit(name, activeKey);
        lock (_stepSnapshots) _stepSnapshots.Add(name);
        return name;
    }

    /// <summary>The image's layers as committed snapshots (shared between builds by chain ID), pulled first when absent or when --pull.</summary>
    public Task<BaseImage> ImageAsync(string name, CancellationToken cancellationToken) =>
        _images.GetOrAdd(name, n => new Lazy<Task<BaseImage>>(() => LoadImageAsync(n, cancellationToken))).Value;

    private async Task<BaseImage> LoadImageAsync(string name, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(name);
        var descriptor = Request.Pull ? null : await Store.ResolveAsync(reference, cancellationToken);
        if (descriptor is null)
        {
            var step = Reporter.Start($"[internal] load metadata for {reference}");
            try
            {
                using var client = new RegistryClient(new RegistryClientOptions { InsecureRegistries = Request.InsecureRegistries });
                await client.PullAsync(reference, Store, Platform, null, cancellationToken);
                descriptor = await Store.ResolveAsync(reference, cancellationToken);
                step.Done();
            }
            catch (Exception e) when (e is RegistryException or HttpRequestException or IOException)
            {
                step.Failed(e.Message);
                throw new BuildException($"{name}: failed to resolve source metadata: {e.Message}", inner: e);
            }
        }
        var image = await Store.LoadImageAsync(descriptor!, Platform, cancellationToken);
        // Snapshots named by chain ID, shared with `ashlar run` and other builds; one unpack per image at a time here.
        var gate = ExtractionLocks.GetOrAdd(image.ManifestDigest.ToString(), _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        string? parent;
        try
        {
            parent = await ImageSnapshots.UnpackAsync(Snapshots, Store, image, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
        var op = new SourceImageOp(reference.ToString(), image.ManifestDigest.ToString(), PlatformArgs.Format(Platform));
        return new BaseImage(op, parent, image);
    }

    /// <summary>Writes an upper directory as a gzip layer blob into the store.</summary>
    public async Task<(Descriptor Layer, string DiffId)> WriteLayerAsync(string upperDirectory, CancellationToken cancellationToken)
    {
        await using var writer = Store.Content.BeginWrite();
        var diff = await Executor.Diff.LayerDiff.WriteAsync(upperDirectory, writer, cancellationToken);
        var (digest, size) = await writer.CommitAsync(diff.CompressedDigest, cancellationToken: cancellationToken);
        return (Descriptor.For(LayerCodec.OciMediaType(LayerCompression.Gzip), digest, size), diff.DiffId.ToString());
    }

    public void Dispose()
    {
        lock (_stepSnapshots)
        {
            for (var i = _stepSnapshots.Count - 1; i >= 0; i--)
            {
                try { Snapshots.Remove(_stepSnapshots[i]); }
                catch (Exception e) when (e is IOException or InvalidOperationException or SnapshotNotFoundException) { }
            }
        }
        try { Directory.Delete(ScratchDirectory, recursive: true); }
        catch (IOException) { }
        Lease.Dispose();
    }
}
