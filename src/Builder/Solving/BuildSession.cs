using System.Collections.Concurrent;
using Ashlar.Builder.Graph;
using Ashlar.Builder.Context;
using Ashlar.Builder.Planning;
using Ashlar.Cache.Keys;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Content;
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
    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Lazy<Task>> _fetches = new(StringComparer.Ordinal);
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

    private Task<BuildContext>? _contextTree;
    private Task<ContextStatCache>? _statCache;

    /// <summary>The layer cache: keys looked up, misses explained, results recorded.</summary>
    public StepCache Cache => _cache ??= new StepCache(this);
    private StepCache? _cache;

    /// <summary>The build context with its .dockerignore, opened once per build, its file digests served from the store's stat cache.</summary>
    public Task<BuildContext> ContextTreeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return _contextTree ??= OpenContextAsync(cancellationToken);
    }

    private async Task<BuildContext> OpenContextAsync(CancellationToken cancellationToken) =>
        await BuildContext.OpenAsync(ContextDirectory, Request.DockerfilePath is null ? null : Path.GetFullPath(Request.DockerfilePath),
            await StatCacheAsync(cancellationToken), cancellationToken);

    /// <summary>The store's persistent stat cache (device, inode, size, mtime, ctime -> sha256 of context files).</summary>
    public Task<ContextStatCache> StatCacheAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
            return _statCache ??= ContextStatCache.LoadAsync(Path.Combine(Store.Root, "cache", "context-stat"), cancellationToken);
    }

    /// <summary>Writes the stat cache back when this build hashed new files.</summary>
    public async Task SaveStatCacheAsync(CancellationToken cancellationToken)
    {
        if (_statCache is null) return;
        try
        {
            await (await _statCache).SaveAsync(cancellationToken);
        }
        catch (IOException e)
        {
            Reporter.Warn($"could not save the context stat cache: {e.Message}");
        }
    }

    public string NewKey(string kind) => $"build:{BuildId}:{kind}:{Interlocked.Increment(ref _keys)}";

    /// <summary>
    /// Commits an active snapshot as a step result under its chain ID, where later steps, builds and images find it.
    /// When that chain is already committed (another stage or process made the same layers), ours is dropped.
    /// </summary>
    public string CommitStep(string activeKey, Digest chainId)
    {
        var name = chainId.ToString();
        try
        {
            Snapshots.Commit(name, activeKey);
        }
        catch (SnapshotExistsException)
        {
            Snapshots.Remove(activeKey);
        }
        return name;
    }

    /// <summary>The image (pulled first when absent or when --pull), resolved once per build; its layers are unpacked only when needed.</summary>
    public Task<BaseImage> ImageAsync(string name, CancellationToken cancellationToken) =>
        _images.GetOrAdd(PinKey(name), _ => new Lazy<Task<BaseImage>>(() => LoadImageAsync(name, cancellationToken))).Value;

    // "busybox" and "docker.io/library/busybox:latest" are one image, resolved once.
    private static string PinKey(string name)
    {
        try { return ImageReference.Parse(name).ToString(); }
        catch (Exception e) when (e is InvalidReferenceException or FormatException) { return name; }
    }

    private async Task<BaseImage> LoadImageAsync(string name, CancellationToken cancellationToken)
    {
        var reference = ImageReference.Parse(name);
        // Resolved once per build (pinned): every stage and --from of this name sees the same manifest.
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
        // Not unpacked here: a step that misses (or a --from it reads) unpacks the layers it needs, by chain ID.
        var files = LayerChain.Of(image.Manifest.Layers, image.DiffIds);
        var op = new SourceImageOp(reference.ToString(), image.ManifestDigest.ToString(), PlatformArgs.Format(Platform));
        return new BaseImage(op, files, image, CacheKey.ForBaseImage(image.ManifestDigest));
    }

    /// <summary>
    /// The committed snapshot holding <paramref name="files"/> (named by its chain ID), unpacking the layers that no
    /// snapshot holds yet from their blobs (fetched from a layer source when the store lacks them); null when empty.
    /// </summary>
    public async Task<string?> SnapshotAsync(LayerChain files, CancellationToken cancellationToken)
    {
        if (files.SnapshotName is not { } name) return null;
        if (Snapshots.Stat(name) is { Kind: SnapshotKind.Committed }) return name;
        // One unpack per chain at a time in this process; across processes the snapshot name is the claim.
        var gate = ExtractionLocks.GetOrAdd(name, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (Snapshots.Stat(name) is { Kind: SnapshotKind.Committed }) return name;
            var parent = await SnapshotAsync(files.Parent!, cancellationToken);
            await EnsureBlobAsync(files.Layer!, cancellationToken);
            await ImageSnapshots.UnpackLayerAsync(Snapshots, Store, files.Layer!, files.DiffId!.Value, name, parent, NewKey("extract"), cancellationToken);
            return name;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Makes sure a layer blob is in the store, fetching it from the request's layer sources (in order) when it is not.</summary>
    public Task EnsureBlobAsync(Descriptor layer, CancellationToken cancellationToken)
    {
        if (Store.Content.Exists(layer.Digest)) return Task.CompletedTask;
        return _fetches.GetOrAdd(layer.DigestText, _ => new Lazy<Task>(() => FetchAsync(layer, cancellationToken))).Value;
    }

    private async Task FetchAsync(Descriptor layer, CancellationToken cancellationToken)
    {
        // A layer of an image built from a remote cache earlier (a lazy blob of the store): its record says where it is.
        if (Store.Lazy.IsLazy(layer.Digest))
        {
            try
            {
                await Store.Lazy.EnsureAsync(layer, cancellationToken: cancellationToken);
                return;
            }
            catch (Images.Store.Lazy.LazyBlobUnavailableException e) when (Request.LayerSources.Count == 0)
            {
                throw new BuildException(e.Message, inner: e);
            }
            catch (Images.Store.Lazy.LazyBlobUnavailableException e)
            {
                Reporter.Warn(e.Message);
            }
        }
        foreach (var source in Request.LayerSources)
        {
            try
            {
                if (await source.TryFetchAsync(layer, Store.Content, cancellationToken) && Store.Content.Exists(layer.Digest)) return;
            }
            catch (Exception e) when (e is IOException or HttpRequestException or InvalidDataException or DigestMismatchException)
            {
                Reporter.Warn($"cache source could not supply layer {layer.Digest}: {e.Message}");
            }
        }
        throw new BuildException($"the cached layer {layer.Digest} is neither in the store nor in any cache source (pruned?); rebuild with --no-cache");
    }

    /// <summary>Writes an upper directory as a gzip layer blob into the store.</summary>
    public async Task<(Descriptor Layer, string DiffId)> WriteLayerAsync(string upperDirectory, CancellationToken cancellationToken)
    {
        var layer = await Executor.Diff.LayerDiff.WriteBlobAsync(upperDirectory, Store.Content, cancellationToken);
        return (layer.Descriptor, layer.DiffId.ToString());
    }

    /// <summary>Deletes the build's scratch directory. Step results stay: they are committed by chain ID, for later builds.</summary>
    public void Dispose()
    {
        try { Directory.Delete(ScratchDirectory, recursive: true); }
        catch (IOException) { }
        Lease.Dispose();
    }
}
