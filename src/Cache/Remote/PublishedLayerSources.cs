using System.Collections.Concurrent;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Registry;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Cache.Remote;

/// <summary>
/// The registry repositories that shared index records name as where their layers were published
/// (<see cref="Records.CacheRecord.LayerRepository"/>), gathered as the build reads those records: a runner given only
/// <c>--cache-index redis://...</c> fetches (or leaves lazy) the layers of its hits from there.
/// </summary>
public sealed class PublishedLayerSources : IRemoteLayerSource
{
    private readonly ConcurrentDictionary<string, RegistryLayerSource> _sources = new(StringComparer.Ordinal);
    private readonly RegistryClient _client;
    private readonly Action<string> _warn;
    private readonly TransferCounter? _counter;

    /// <summary>Sources reached through <paramref name="client"/>.</summary>
    public PublishedLayerSources(RegistryClient client, Action<string> warn, TransferCounter? counter = null)
    {
        _client = client;
        _warn = warn;
        _counter = counter;
    }

    /// <summary>The repository <paramref name="repository"/> (<c>host/path</c>) as a source; null when it is not of that form.</summary>
    public RegistryLayerSource? Add(string repository)
    {
        var slash = repository.IndexOf('/');
        if (slash <= 0 || slash == repository.Length - 1) return null;
        return _sources.GetOrAdd(repository, r => new RegistryLayerSource(_client, r[..slash], r[(slash + 1)..], _warn, _counter));
    }

    /// <inheritdoc />
    public async Task<bool> TryFetchAsync(Descriptor layer, IContentStore store, CancellationToken cancellationToken)
    {
        foreach (var source in _sources.Values)
            if (await source.TryFetchAsync(layer, store, cancellationToken).ConfigureAwait(false))
                return true;
        return false;
    }

    /// <inheritdoc />
    public async Task<LazyBlobSource?> LocateAsync(Descriptor layer, CancellationToken cancellationToken)
    {
        foreach (var source in _sources.Values)
            if (await source.LocateAsync(layer, cancellationToken).ConfigureAwait(false) is { } location)
                return location;
        return null;
    }

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", _sources.Keys);
}
