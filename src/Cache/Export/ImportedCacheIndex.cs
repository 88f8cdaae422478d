using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Export;

/// <summary>An imported cache's records as a read-only, in-memory index: writes are ignored, the build writes to its own index.</summary>
internal sealed class ImportedCacheIndex(IReadOnlyDictionary<string, byte[]> entries) : IDistributedCache
{
    public byte[]? Get(string key) => entries.TryGetValue(key, out var value) ? value : null;
    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) { }
    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.CompletedTask;
    public void Refresh(string key) { }
    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;
    public void Remove(string key) { }
    public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;
}
