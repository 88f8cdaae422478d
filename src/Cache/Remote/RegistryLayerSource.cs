using System.Net;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Registry;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Cache.Remote;

/// <summary>
/// Layer blobs from one registry repository (an imported cache's), fetched one at a time and only when a cache hit
/// needs one the store lacks. The store verifies each against its digest; a blob the repository lacks, or a registry
/// that fails or takes longer than <see cref="FetchTimeout"/>, is a "not here" (with one warning), so the step simply runs.
/// </summary>
public sealed class RegistryLayerSource : IRemoteLayerSource
{
    private readonly RegistryClient _client;
    private readonly string _registry;
    private readonly string _repository;
    private readonly Action<string> _warn;
    private readonly TransferCounter? _counter;
    private int _warned;

    /// <summary>Blobs of <paramref name="registry"/>/<paramref name="repository"/> through <paramref name="client"/>.</summary>
    public RegistryLayerSource(RegistryClient client, string registry, string repository, Action<string> warn, TransferCounter? counter = null)
    {
        _client = client;
        _registry = registry;
        _repository = repository;
        _warn = warn;
        _counter = counter;
    }

    /// <summary>How long one blob's fetch may take (<see cref="LazyBlobs.TimeoutVariable"/>); infinite when zero.</summary>
    public TimeSpan FetchTimeout { get; init; } = LazyBlobs.ConfiguredTimeout();

    /// <inheritdoc />
    public async Task<bool> TryFetchAsync(Descriptor layer, IContentStore store, CancellationToken cancellationToken)
    {
        if (store.Exists(layer.Digest)) return true;
        var repository = _client.Repository(_registry, _repository, forPush: false);
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (FetchTimeout > TimeSpan.Zero) bounded.CancelAfter(FetchTimeout);
        try
        {
            await repository.FetchBlobAsync(new ContentDescriptor(layer.MediaType, layer.Digest, layer.Size), store, bounded.Token).ConfigureAwait(false);
            _counter?.Downloaded(layer.Size, layer: true);
            return true;
        }
        catch (RegistryException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
                _warn($"fetching cache layer {layer.Digest} from {_registry}/{_repository} took longer than {FetchTimeout.TotalSeconds:0}s (${LazyBlobs.TimeoutVariable}); the steps that need it run instead");
            return false;
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
                _warn($"cache layers from {_registry}/{_repository} are unavailable ({e.Message.Split('\n')[0]}); the steps that need them run instead");
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<LazyBlobSource?> LocateAsync(Descriptor layer, CancellationToken cancellationToken) =>
        await ContainsAsync(layer, cancellationToken).ConfigureAwait(false) ? LazyBlobSource.InRegistry(_registry, _repository) : null;

    /// <summary>Whether the repository has the blob (a HEAD); a registry that fails counts as not having it.</summary>
    public async Task<bool> ContainsAsync(Descriptor layer, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.Repository(_registry, _repository, forPush: false).BlobExistsAsync(layer.Digest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{_registry}/{_repository}";
}
