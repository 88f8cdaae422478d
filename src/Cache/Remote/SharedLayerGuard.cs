using Ashlar.Cache.Records;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;

namespace Ashlar.Cache.Remote;

/// <summary>
/// Keeps a shared index (Redis) honest for the runners reading it: a record is published only after its layer blob is
/// in the shared registry, and a record read from the index counts as a hit only when its layer is in the local store
/// or a layer source has it. A runner therefore never takes a hit whose blob another runner has not pushed yet; it
/// runs the step instead.
/// </summary>
public sealed class SharedLayerGuard
{
    private readonly IContentStore _store;
    private readonly IReadOnlyList<ILayerSource> _sources;
    private readonly RegistryClient? _client;
    private readonly ImageReference? _publishTo;
    private readonly Action<string> _warn;
    private readonly TransferCounter? _counter;
    private int _warned;
    private int _warnedUnreachable;

    /// <summary>A guard over <paramref name="store"/> and <paramref name="sources"/>, publishing to <paramref name="publishTo"/>'s repository.</summary>
    /// <param name="store">The local store (where a layer just made is, and a hit's layer may already be).</param>
    /// <param name="sources">Where other runners' layers are (their <c>--cache-to</c> registries and directories).</param>
    /// <param name="client">The registry client to publish with, or null.</param>
    /// <param name="publishTo">The registry cache whose repository receives each new layer before its record is shared, or null to share records as they are.</param>
    /// <param name="warn">Where the one warning of a failing publish goes.</param>
    /// <param name="counter">Counts the bytes published.</param>
    public SharedLayerGuard(IContentStore store, IReadOnlyList<ILayerSource> sources, RegistryClient? client, ImageReference? publishTo,
        Action<string> warn, TransferCounter? counter = null)
    {
        _store = store;
        _sources = sources;
        _client = client;
        _publishTo = publishTo;
        _warn = warn;
        _counter = counter;
        Published = client is null ? null : new PublishedLayerSources(client, warn, counter);
    }

    /// <summary>
    /// The registries shared records named for their layers (<see cref="CacheRecord.LayerRepository"/>); give it to
    /// the build as a layer source so it can fetch, or leave lazy, what those hits need.
    /// </summary>
    public PublishedLayerSources? Published { get; }

    /// <summary>The repository (<c>host/path</c>) each new layer is published to, recorded in its shared record; null when none.</summary>
    public string? PublishedTo => _publishTo is null || _client is null ? null : $"{_publishTo.Domain}/{_publishTo.Path}";

    /// <summary>
    /// Whether a shared record's layer can be had: in the store, in a source that says it has it, or in the repository
    /// the record names (<paramref name="publishedTo"/>, which then becomes one of <see cref="Published"/>).
    /// </summary>
    public async Task<bool> IsReachableAsync(Descriptor layer, CancellationToken cancellationToken, string? publishedTo = null)
    {
        if (_store.Exists(layer.Digest)) return true;
        foreach (var source in _sources)
            if (source is IRemoteLayerSource remote && await remote.LocateAsync(layer, cancellationToken).ConfigureAwait(false) is not null)
                return true;
        if (publishedTo is not null && Published?.Add(publishedTo) is { } named && await named.ContainsAsync(layer, cancellationToken).ConfigureAwait(false))
            return true;
        // Not "pruned": the record is fine, but its layer is nowhere this build can fetch it from.
        if (Interlocked.Exchange(ref _warnedUnreachable, 1) == 0)
        {
            var looked = _sources.OfType<IRemoteLayerSource>().Select(s => s.ToString()).Append(publishedTo).OfType<string>().Distinct().ToList();
            _warn(looked.Count > 0
                ? $"the shared cache index has a result whose layer {layer.Digest} is in none of {string.Join(", ", looked)} (not pushed there yet, or "
                    + "removed, or the registry is unreachable); such steps run"
                : "the shared cache index has results that do not say where their layers are (written without a --cache-to registry): add "
                    + "--cache-from type=registry,ref=... naming the registry cache the runners export to; until then such steps run");
        }
        return false;
    }

    /// <summary>Pushes a layer made here to the shared registry before its record is shared; false when that failed (the record then stays local).</summary>
    public async Task<bool> PublishAsync(Descriptor layer, CancellationToken cancellationToken)
    {
        if (_publishTo is null || _client is null) return true;
        if (!_store.Exists(layer.Digest)) return false;
        try
        {
            var repository = _client.Repository(_publishTo.Domain, _publishTo.Path, forPush: true);
            var outcome = await repository.PushBlobAsync(new ContentDescriptor(layer.MediaType, layer.Digest, layer.Size),
                () => _store.OpenRead(layer.Digest), null, null, cancellationToken).ConfigureAwait(false);
            if (outcome == BlobPushOutcome.Uploaded) _counter?.Uploaded(layer.Size, layer: true);
            return true;
        }
        catch (Exception e) when (e is RegistryException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
                _warn($"cannot push layers to {_publishTo.Domain}/{_publishTo.Path} ({e.Message.Split('\n')[0]}); this build's results stay out of the shared cache index");
            return false;
        }
    }
}
