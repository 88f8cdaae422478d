using System.Net;
using System.Text.Json;
using Ashlar.Cache.Remote;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;

namespace Ashlar.Cache.Export;

/// <summary>
/// <c>--cache-to/--cache-from type=registry,ref=...</c>: a cache artifact pushed to and read from a registry
/// repository with the build's <see cref="RegistryClient"/>. A push sends only the blobs the repository lacks (HEAD
/// first, then a cross-repository mount, then an upload) and the manifest last; an import reads the manifest and the
/// config only, and hands back a <see cref="RegistryLayerSource"/> that fetches a layer when a hit needs it.
/// </summary>
public sealed class RegistryCache
{
    /// <summary>How long reading a cache's manifest and config may take by default before the build goes on without it.</summary>
    public static readonly TimeSpan DefaultImportTimeout = TimeSpan.FromSeconds(30);

    private readonly RegistryClient _client;
    private readonly Action<string> _warn;
    private readonly TransferCounter _counter;
    private readonly TimeSpan _importTimeout;

    /// <summary>A registry cache transport over <paramref name="client"/>.</summary>
    /// <param name="client">The build's registry client (credentials, insecure registries).</param>
    /// <param name="warn">Where warnings go: an unreadable or missing cache is a warning, never a failed build.</param>
    /// <param name="counter">Counts the bytes moved; a new one when null.</param>
    /// <param name="importTimeout">The bound of an import (<see cref="DefaultImportTimeout"/>).</param>
    public RegistryCache(RegistryClient client, Action<string> warn, TransferCounter? counter = null, TimeSpan? importTimeout = null)
    {
        _importTimeout = importTimeout ?? DefaultImportTimeout;
        _client = client;
        _warn = warn;
        _counter = counter ?? new TransferCounter();
    }

    /// <summary>What this transport moved so far.</summary>
    public TransferCounter Counter => _counter;

    /// <summary>
    /// Reads the cache at <paramref name="reference"/>: a cache manifest, or an image with an inline cache in its
    /// config. Returns null (after a warning) when there is none or it cannot be read; the layer source is usable
    /// either way.
    /// </summary>
    public async Task<(ImportedCache? Cache, ILayerSource Layers)> ImportAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        var layers = new RegistryLayerSource(_client, reference.Domain, reference.Path, _warn, _counter);
        var repository = _client.Repository(reference.Domain, reference.Path, forPush: false);
        var display = reference.ToString();
        // A registry that accepts and never answers must not hang the build: the import is small, so bound it.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_importTimeout);
        try
        {
            var manifest = await repository.GetManifestAsync(reference.Digest?.ToString() ?? reference.Tag ?? ImageReference.DefaultTag, bounded.Token)
                .ConfigureAwait(false);
            _counter.Downloaded(manifest.Bytes.Length);
            if (manifest.IsIndex || manifest.Config is null)
            {
                _warn($"cache {display} is an image index, not an Ashlar cache or a single image; building without it");
                return (null, layers);
            }
            var config = manifest.Config;
            if (config.MediaType != CacheMediaTypes.Config && config.MediaType is not (MediaTypes.OciConfig or MediaTypes.DockerConfig))
            {
                _warn($"cache {display} is not an Ashlar cache (its config is \"{config.MediaType}\"); building without it");
                return (null, layers);
            }
            var blobs = new MemoryContentStore();
            await repository.FetchBlobAsync(config, blobs, bounded.Token).ConfigureAwait(false);
            _counter.Downloaded(config.Size);
            var bytes = blobs.ReadAll(config.Digest);
            var cache = config.MediaType == CacheMediaTypes.Config
                ? ImportedCache.ReadConfig(bytes, display, _warn)
                : InlineCache.Read(bytes, display, _warn);
            return (cache, layers);
        }
        catch (RegistryException e) when (e.StatusCode == HttpStatusCode.NotFound || e.Code is "MANIFEST_UNKNOWN" or "NAME_UNKNOWN")
        {
            _warn($"no cache at {display} yet; building without it");
            return (null, layers);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _warn($"cache {display} did not arrive within {_importTimeout.TotalSeconds:0.#}s; building without it");
            return (null, layers);
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or IOException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            _warn($"cache {display} cannot be read ({e.Message.Split('\n')[0]}); building without it");
            return (null, layers);
        }
    }

    /// <summary>
    /// Pushes <paramref name="artifact"/> to <paramref name="target"/> (its tag, or by digest). A layer the store lacks
    /// (a hit whose blob was never needed here) is taken from <paramref name="sources"/>; a step whose layer cannot be
    /// found anywhere is left out of the export with a warning. Returns what was pushed.
    /// </summary>
    /// <param name="target">The cache reference, e.g. <c>registry.lan/team/app:buildcache</c>.</param>
    /// <param name="artifact">The cache to push.</param>
    /// <param name="store">The store with the layers.</param>
    /// <param name="sources">Where layers the store lacks may be (the imported caches).</param>
    /// <param name="mountFrom">A repository on the same registry that may hold the layers (cross-repository mount), or null.</param>
    /// <param name="cancellationToken">Stops the push.</param>
    /// <exception cref="RegistryException">The registry refused the push.</exception>
    public async Task<CacheArtifact> ExportAsync(ImageReference target, CacheArtifact artifact, IContentStore store, IReadOnlyList<ILayerSource> sources,
        string? mountFrom = null, CancellationToken cancellationToken = default)
    {
        var repository = _client.Repository(target.Domain, target.Path, forPush: true);
        var missing = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(artifact.Layers, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (layer, token) =>
        {
            if (await repository.BlobExistsAsync(layer.Digest, token).ConfigureAwait(false)) return;
            // A layer this store never needed (a lazy one) is mounted from the imported cache's repository when it can be, not downloaded.
            if (!store.Exists(layer.Digest) && mountFrom is not null && await repository.TryMountAsync(layer.Digest, mountFrom, token).ConfigureAwait(false)) return;
            if (!store.Exists(layer.Digest) && !await LayerSources.TryFetchAsync(sources, layer, store, token).ConfigureAwait(false))
            {
                missing.Add(layer.DigestText);
                return;
            }
            var outcome = await repository.PushBlobAsync(new ContentDescriptor(layer.MediaType, layer.Digest, layer.Size),
                () => store.OpenRead(layer.Digest), mountFrom, null, token).ConfigureAwait(false);
            if (outcome == BlobPushOutcome.Uploaded) _counter.Uploaded(layer.Size, layer: true);
        }).ConfigureAwait(false);

        if (!missing.IsEmpty)
        {
            var gone = missing.ToHashSet(StringComparer.Ordinal);
            _warn($"cache export to {target}: {gone.Count} layer(s) are in no store or imported cache any more; their steps are left out");
            artifact = CacheArtifact.Create(artifact.Steps.Where(s => s.Layer is null || !gone.Contains(s.Layer.DigestText)), CacheExportMode.Max,
                cacheMounts: artifact.CacheMounts.Where(m => !gone.Contains(m.Layer.DigestText)).ToList());
        }

        var configOutcome = await repository.PushBlobAsync(new ContentDescriptor(artifact.ConfigDescriptor.MediaType, artifact.ConfigDescriptor.Digest, artifact.Config.Length),
            () => new MemoryStream(artifact.Config, writable: false), null, null, cancellationToken).ConfigureAwait(false);
        if (configOutcome == BlobPushOutcome.Uploaded) _counter.Uploaded(artifact.Config.Length);
        await repository.PutManifestAsync(target.Tag ?? artifact.ManifestDescriptor.DigestText, artifact.Manifest, MediaTypes.OciManifest, cancellationToken)
            .ConfigureAwait(false);
        _counter.Uploaded(artifact.Manifest.Length);
        return artifact;
    }
}
