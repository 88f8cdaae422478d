using System.Text.Json;
using Ashlar.Cache.Records;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Remote;

/// <summary>
/// The cache index a build reads and writes when the cache is shared: the local index first, then the shared one
/// (Redis), then the imported caches (<c>--cache-from</c>), in that order. Writes go to the local index and the
/// shared one; imported caches are read-only. A value from a shared or imported source that is not a cache entry
/// Ashlar can read (corrupt, or written by another program) is a miss with one warning per source, never an error.
/// With a <see cref="SharedLayerGuard"/>, a record is shared only once its layer is in the shared registry, and a
/// shared record is a hit only when its layer can be had.
/// </summary>
public sealed class LayeredDistributedCache : IDistributedCache
{
    private readonly IDistributedCache _local;
    private readonly IDistributedCache? _shared;
    private readonly IReadOnlyList<(IDistributedCache Index, string Name)> _imported;
    private readonly Action<string> _warn;
    private readonly HashSet<string> _warnedSources = [];
    private readonly SharedLayerGuard? _guard;

    /// <summary>Layers <paramref name="local"/>, then <paramref name="shared"/>, then <paramref name="imported"/>.</summary>
    /// <param name="local">The store's own index; always read first and always written.</param>
    /// <param name="shared">The index many runners share (Redis), or null; written too.</param>
    /// <param name="imported">Read-only indexes of imported caches, each with the name warnings use.</param>
    /// <param name="warn">Where warnings about unreadable entries go.</param>
    /// <param name="guard">Publishes a layer before its record is shared and checks a shared record's layer; null shares records as they are.</param>
    public LayeredDistributedCache(IDistributedCache local, IDistributedCache? shared,
        IReadOnlyList<(IDistributedCache Index, string Name)> imported, Action<string> warn, SharedLayerGuard? guard = null)
    {
        _guard = guard;
        _local = local;
        _shared = shared;
        _imported = imported;
        _warn = warn;
    }

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        if (await _local.GetAsync(key, token) is { } local) return local;
        if (_shared is not null && Readable(key, await _shared.GetAsync(key, token), "the shared cache index") is { } shared
            && (_guard is null || RecordOf(key, shared) is not { Layer: { } layer } record || await _guard.IsReachableAsync(layer, token, record.LayerRepository)))
            return shared;
        foreach (var (index, name) in _imported)
            if (Readable(key, await index.GetAsync(key, token), name) is { } imported)
                return imported;
        return null;
    }

    /// <inheritdoc />
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        await _local.SetAsync(key, value, options, token);
        if (_shared is null || _shared is ResilientDistributedCache { IsDown: true }) return;
        // Blob before record: a runner that sees the record can always fetch the layer, from the repository it names.
        if (_guard is not null && RecordOf(key, value) is { Layer: { } layer } record)
        {
            if (!await _guard.PublishAsync(layer, token)) return;
            if (_guard.PublishedTo is { } repository && record.LayerRepository != repository)
                value = JsonSerializer.SerializeToUtf8Bytes(record with { LayerRepository = repository }, CacheJsonContext.Default.CacheRecord);
        }
        await _shared.SetAsync(key, value, options, token);
    }

    private static CacheRecord? RecordOf(string key, byte[] value)
    {
        if (!key.StartsWith(LayerCacheKeys.RecordPrefix, StringComparison.Ordinal)) return null;
        try
        {
            return JsonSerializer.Deserialize(value, CacheJsonContext.Default.CacheRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default) => _local.RefreshAsync(key, token);

    /// <summary>Forgets the local entry only: a result this store lost may still be good for the other runners.</summary>
    public Task RemoveAsync(string key, CancellationToken token = default) => _local.RemoveAsync(key, token);

    /// <inheritdoc />
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Remove(string key) => RemoveAsync(key).GetAwaiter().GetResult();

    /// <summary>The value when it parses as what <see cref="LayerCache"/> stores under such a key, else null (with one warning per source).</summary>
    private byte[]? Readable(string key, byte[]? value, string source)
    {
        if (value is null) return null;
        try
        {
            if (key.StartsWith(LayerCacheKeys.RecordPrefix, StringComparison.Ordinal))
            {
                var record = JsonSerializer.Deserialize(value, CacheJsonContext.Default.CacheRecord);
                if (record is null) throw new JsonException("an empty record");
            }
            else if (key.StartsWith(LayerCacheKeys.ChildrenPrefix, StringComparison.Ordinal))
                _ = JsonSerializer.Deserialize(value, CacheJsonContext.Default.ListChildEntry);
            return value;
        }
        catch (JsonException e)
        {
            bool first;
            lock (_warnedSources) first = _warnedSources.Add(source);
            if (first)
                _warn($"{source} has an entry Ashlar cannot read ({key}: {e.Message.Split('\n')[0]}); such entries count as misses");
            return null;
        }
    }
}
