using System.Diagnostics;
using Ashlar.Builder;
using Ashlar.Cache.Export;
using Ashlar.Cache.Index;
using Ashlar.Cache.Remote;
using Ashlar.Images.Content;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Store;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cli.Commands;

/// <summary>
/// The shared cache of one <c>ashlar build</c>: before the build it imports the <c>--cache-from</c> caches and opens
/// the <c>--cache-index</c>, giving the build a layered index and lazy layer sources; after it, it exports the
/// build's cache steps to each <c>--cache-to</c>. A cache that cannot be read or written is a warning, never a failure.
/// </summary>
internal sealed class SharedCache(IReadOnlyList<CacheSpec> to, IReadOnlyList<CacheSpec> from, CacheIndexAddress? index) : IDisposable
{
    private readonly List<ILayerSource> _sources = [];
    private readonly TransferCounter _counter = new();
    private RegistryClient? _client;
    private ResilientDistributedCache? _shared;
    private Action<string> _warn = _ => { };

    /// <summary>Whether any flag asked for a shared cache.</summary>
    public bool IsUsed => to.Count > 0 || from.Count > 0 || index is not null;

    /// <summary>What the imports and exports moved (for <c>--metadata-file</c> and the summary line).</summary>
    public TransferCounter Counter => _counter;

    /// <summary>Imports the caches and opens the index; returns <paramref name="request"/> with the layered index and layer sources.</summary>
    public async Task<BuildRequest> OpenAsync(BuildRequest request, Action<string> warn, CancellationToken cancellationToken)
    {
        _warn = warn;
        if (!IsUsed) return request;
        _client = new RegistryClient(new RegistryClientOptions { InsecureRegistries = request.InsecureRegistries });
        if (index is not null) _shared = RedisIndex.Connect(index, warn);

        var imported = new List<(IDistributedCache, string)>();
        var store = ImageStore.Open(request.StoreRoot);
        foreach (var spec in from)
        {
            var (cache, layers) = spec.Type == CacheSpecType.Registry
                ? await new RegistryCache(_client, warn, _counter).ImportAsync(spec.Reference!, cancellationToken)
                : await LocalCacheLayout.ImportAsync(spec.Directory!, warn, _counter, cancellationToken);
            _sources.Add(layers);
            if (cache is null) continue;
            imported.Add((cache.ToIndex(), $"cache {spec}"));
            if (cache.CacheMounts.Count > 0)
                await CacheMounts.RestoreAsync(store.Root, store.Content, cache.CacheMounts, [layers], warn, cancellationToken);
        }
        // A record in the shared index points at a layer some runner exported: the export targets are where it is.
        foreach (var spec in to.Where(s => s.Type != CacheSpecType.Inline && !from.Contains(s)))
            _sources.Add(spec.Type == CacheSpecType.Registry
                ? new RegistryLayerSource(_client, spec.Reference!.Domain, spec.Reference.Path, warn, _counter)
                : new LayoutLayerSource(spec.Directory!, warn, _counter));

        if (imported.Count == 0 && _shared is null) return request with { LayerSources = [.. request.LayerSources, .. _sources] };
        var local = FileDistributedCache.ForStore(store.Root);
        // With a shared index, each new layer goes to the (first) registry cache before its record is shared.
        var guard = _shared is null ? null
            : new SharedLayerGuard(store.Content, _sources, _client, to.FirstOrDefault(s => s.Type == CacheSpecType.Registry)?.Reference, warn, _counter);
        return request with
        {
            CacheIndex = new LayeredDistributedCache(local, _shared, imported, warn, guard),
            // Last: the registries shared records name for their layers, found as the build reads them.
            LayerSources = [.. request.LayerSources, .. _sources, .. guard?.Published is { } published ? [published] : Array.Empty<ILayerSource>()],
        };
    }

    /// <summary>
    /// Exports <paramref name="result"/>'s cache steps to every <c>--cache-to</c>. An inline cache rewrites the image's
    /// config, so the result's digests (and tags, and a pushed image) follow the new image.
    /// </summary>
    public async Task<BuildResult> ExportAsync(BuildRequest request, BuildResult result, CancellationToken cancellationToken)
    {
        if (!IsUsed) return result;
        result = await ExportAllAsync(request, result, cancellationToken);
        Console.Error.WriteLine($"cache transfer: received {HumanUnits.Size(_counter.BytesDownloaded)} ({_counter.LayersDownloaded} layers), "
            + $"sent {HumanUnits.Size(_counter.BytesUploaded)} ({_counter.LayersUploaded} layers)");
        return result;
    }

    private async Task<BuildResult> ExportAllAsync(BuildRequest request, BuildResult result, CancellationToken cancellationToken)
    {
        if (to.Count == 0) return result;
        var store = ImageStore.Open(request.StoreRoot);
        var steps = result.CacheSteps.Select(s => new CacheExportStep(s.Key, s.Parent, s.Instruction, s.Record)).ToList();
        var manifest = await store.LoadManifestAsync(Digest.Parse(result.ImageDigest), cancellationToken);
        var finalLayers = manifest.Layers.Select(l => l.Digest).ToList();
        foreach (var spec in to)
        {
            var watch = Stopwatch.StartNew();
            var before = (_counter.BytesUploaded, _counter.LayersUploaded);
            try
            {
                var mounts = spec.CacheMounts ? await CacheMounts.PackAsync(store.Root, store.Content, cancellationToken) : [];
                var artifact = CacheArtifact.Create(steps, spec.Mode, finalLayers, mounts);
                switch (spec.Type)
                {
                    case CacheSpecType.Registry:
                        var mountFrom = from.FirstOrDefault(f => f.Type == CacheSpecType.Registry && f.Reference!.Domain == spec.Reference!.Domain)?.Reference!.Path;
                        artifact = await new RegistryCache(_client!, _warn, _counter).ExportAsync(spec.Reference!, artifact, store.Content, _sources, mountFrom, cancellationToken);
                        break;
                    case CacheSpecType.Local:
                        artifact = await LocalCacheLayout.ExportAsync(spec.Directory!, artifact, store.Content, _sources, _warn, _counter, cancellationToken);
                        break;
                    case CacheSpecType.Inline:
                        result = await EmbedInlineAsync(store, request, result, artifact, cancellationToken);
                        break;
                }
                Console.Error.WriteLine($"exporting cache to {spec}: {artifact.Steps.Count} steps{(artifact.CacheMounts.Count > 0 ? $", {artifact.CacheMounts.Count} cache mounts" : "")}, {_counter.LayersUploaded - before.LayersUploaded} layers and "
                    + $"{HumanUnits.Size(_counter.BytesUploaded - before.BytesUploaded)} sent, {watch.Elapsed.TotalSeconds:0.0}s done");
            }
            catch (Exception e) when (e is RegistryException or IOException or UnauthorizedAccessException or HttpRequestException or InvalidDataException
                && !cancellationToken.IsCancellationRequested)
            {
                _warn($"exporting the cache to {spec} failed: {e.Message.Split('\n')[0]}; the image is built, only its cache was not exported");
            }
        }
        return result;
    }

    private async Task<BuildResult> EmbedInlineAsync(ImageStore store, BuildRequest request, BuildResult result, CacheArtifact artifact, CancellationToken cancellationToken)
    {
        var embedded = await InlineCache.EmbedAsync(store, Digest.Parse(result.ImageDigest), artifact.Steps, cancellationToken);
        var tags = result.Tags.Select(t => ImageReference.Parse(t)).ToList();
        if (tags.Count == 0) await store.AddDanglingAsync(embedded, cancellationToken);
        foreach (var tag in tags) await store.TagAsync(tag, embedded, cancellationToken);
        if (request.Push)
            foreach (var tag in tags)
                await _client!.PushAsync(store, tag.ToString(), tag, null, cancellationToken);
        var config = (await store.LoadManifestAsync(embedded.Digest, cancellationToken)).Config.Digest.ToString();
        var metadata = new Dictionary<string, string>(result.Metadata)
        {
            ["containerimage.digest"] = embedded.DigestText,
            ["containerimage.config.digest"] = config,
        };
        return result with { ImageDigest = embedded.DigestText, ConfigDigest = config, Metadata = metadata };
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _client?.Dispose();
        _shared?.Dispose();
    }
}
