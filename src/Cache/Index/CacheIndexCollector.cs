using System.Text.Json;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;
using Ashlar.Images.Store;

namespace Ashlar.Cache.Index;

/// <summary>
/// The build cache's part in the store's garbage collection and <c>ashlar check</c>: lists the index's entries with
/// their last use and what each <see cref="CacheRecord"/> keeps alive (its layer blob and its snapshot), removes
/// entries, and checks them. Reading an entry here never counts as a use.
/// </summary>
public sealed class CacheIndexCollector(FileDistributedCache index) : ICacheCollector
{
    private const string RecordPrefix = "record/";

    /// <summary>The collector of the store rooted at <paramref name="storeRoot"/> (<c>&lt;root&gt;/cache/index</c>).</summary>
    public static CacheIndexCollector ForStore(string storeRoot) => new(FileDistributedCache.ForStore(storeRoot));

    /// <inheritdoc />
    public IReadOnlyList<CacheUse> Entries()
    {
        var uses = new List<CacheUse>();
        foreach (var entry in index.Entries())
        {
            List<Digest> blobs = [];
            List<string> snapshots = [];
            if (entry.Key.StartsWith(RecordPrefix, StringComparison.Ordinal) && TryReadRecord(entry.Key, out var record, out _) && record is not null)
            {
                if (record.LayerDigest is { } layer) blobs.Add(layer);
                if (record.ChainId is { Length: > 0 } chain) snapshots.Add(chain);
            }
            // An expired entry already reads as a miss: it counts as the least recently used, and keeps nothing alive.
            uses.Add(entry.Expired
                ? new CacheUse(entry.Key, entry.Size, DateTimeOffset.MinValue, [], [])
                : new CacheUse(entry.Key, entry.Size, entry.LastUse, blobs, snapshots));
        }
        return uses;
    }

    /// <inheritdoc />
    public async Task<long> RemoveAsync(CacheUse entry, CancellationToken cancellationToken)
    {
        await index.RemoveAsync(entry.Key, cancellationToken);
        return entry.Size;
    }

    /// <inheritdoc />
    public Task CheckAsync(ImageStore store, ICollection<StoreProblem> problems, bool repair, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(index.Directory)) return Task.CompletedTask;
        foreach (var fanOut in Directory.EnumerateDirectories(index.Directory))
        foreach (var path in Directory.EnumerateFiles(fanOut))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Path.GetFileName(path).StartsWith(FileDistributedCache.TempPrefix, StringComparison.Ordinal)) continue; // the index collects its own
            string? problem = null;
            string key;
            try
            {
                using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                key = IndexEntry.ReadAsync(handle, path, cancellationToken).GetAwaiter().GetResult().Key;
            }
            catch (FileNotFoundException) { continue; }
            catch (InvalidDataException e)
            {
                Report(path, e.Message.Replace($"cache index entry {path}: ", "", StringComparison.Ordinal));
                continue;
            }
            if (index.EntryPath(key) != path)
                problem = $"holds the key \"{key}\", which belongs in {index.EntryPath(key)}";
            else if (key.StartsWith(RecordPrefix, StringComparison.Ordinal))
            {
                if (!TryReadRecord(key, out var record, out var error))
                    problem = $"cache record \"{key}\" is damaged: {error}";
                else if (record?.LayerDigest is { } layer && !store.Content.Exists(layer))
                    problem = $"cache record \"{key}\" references the layer {layer}, which is not in the store";
            }
            if (problem is not null) Report(path, problem);
        }
        return Task.CompletedTask;

        void Report(string path, string problem)
        {
            if (repair) File.Delete(path);
            problems.Add(new StoreProblem(path, problem, repair));
        }
    }

    // The value as stored, without touching the entry's last use (as GetAsync would).
    private bool TryReadRecord(string key, out CacheRecord? record, out string? error)
    {
        record = null;
        error = null;
        var path = index.EntryPath(key);
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var entry = IndexEntry.ReadAsync(handle, path, CancellationToken.None).GetAwaiter().GetResult();
            var value = new byte[entry.ValueLength];
            if (RandomAccess.Read(handle, value, entry.ValueOffset) != value.Length)
            {
                error = "truncated value";
                return false;
            }
            record = JsonSerializer.Deserialize(value, CacheJsonContext.Default.CacheRecord);
            if (record is null) error = "empty record";
            return record is not null;
        }
        catch (FileNotFoundException)
        {
            return true; // removed meanwhile: nothing to keep
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or FormatException)
        {
            error = e.Message;
            return false;
        }
    }
}
