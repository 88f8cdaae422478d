using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Cache.Index;

/// <summary>
/// The embedded cache index: an <see cref="IDistributedCache"/> of one file per key under a directory
/// (by default <c>&lt;store root&gt;/cache/index</c>), shared safely by several processes.
/// </summary>
/// <remarks>
/// <para>A write goes to a temporary file that is flushed and then renamed over the entry, so a reader sees
/// either the old or the new complete entry, never a torn one; of two writers of one key the last rename wins.</para>
/// <para>The entry file's mtime is its last use (for LRU collection): <see cref="Refresh"/> and every
/// <see cref="Get"/> touch it. Expiration follows <see cref="DistributedCacheEntryOptions"/>: an entry is gone once
/// its absolute expiration passes or it has not been used for its sliding expiration.</para>
/// <para>A process killed mid-write leaves only a temporary file; opening the index collects those that no
/// live writer holds.</para>
/// </remarks>
public sealed class FileDistributedCache : IDistributedCache
{
    internal const string TempPrefix = ".tmp-";

    /// <summary>A temporary file younger than this may belong to a writer that has not locked it yet.</summary>
    internal static readonly TimeSpan TempGracePeriod = TimeSpan.FromMinutes(10);

    private readonly TimeProvider _time;

    /// <summary>Opens (creating if needed) the index in <paramref name="directory"/> and collects crash leftovers.</summary>
    public FileDistributedCache(string directory, TimeProvider? time = null)
    {
        Directory = Path.GetFullPath(directory);
        _time = time ?? TimeProvider.System;
        System.IO.Directory.CreateDirectory(Directory);
        CollectTemporaryFiles();
    }

    /// <summary>Opens the index of the store rooted at <paramref name="storeRoot"/>: <c>&lt;root&gt;/cache/index</c>.</summary>
    public static FileDistributedCache ForStore(string storeRoot, TimeProvider? time = null) =>
        new(Path.Combine(storeRoot, "cache", "index"), time);

    /// <summary>The index directory.</summary>
    public string Directory { get; }

    /// <inheritdoc />
    public byte[]? Get(string key) => GetAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
    {
        var path = EntryPath(key);
        using var handle = Open(path);
        if (handle is null) return null;
        var entry = await IndexEntry.ReadAsync(handle, path, token);
        if (entry.Key != key)
            return null; // a sha256 collision of two keys' file names: a miss, never the other key's value
        var now = _time.GetUtcNow();
        if (entry.IsExpired(File.GetLastWriteTimeUtc(handle), now))
            return null; // left for CollectExpired: deleting here could race with a writer renaming a fresh entry in

        var value = new byte[entry.ValueLength];
        var read = 0;
        while (read < value.Length)
        {
            var n = await RandomAccess.ReadAsync(handle, value.AsMemory(read), entry.ValueOffset + read, token);
            if (n == 0) throw new InvalidDataException($"cache index entry {path}: truncated value");
            read += n;
        }
        Touch(handle, now);
        return value;
    }

    /// <inheritdoc />
    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => SetAsync(key, value, options).GetAwaiter().GetResult();

    /// <inheritdoc />
    public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(options);
        var now = _time.GetUtcNow();
        var absolute = AbsoluteExpiration(options, now);
        var path = EntryPath(key);
        var directory = Path.GetDirectoryName(path)!;
        System.IO.Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            // FileShare.None takes an exclusive flock: the leftover collector skips files a live writer holds.
            var header = IndexEntry.Header(key, absolute, options.SlidingExpiration, value.Length);
            using (var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.None, preallocationSize: header.Length + value.Length))
            {
                await RandomAccess.WriteAsync(handle, header, 0, token);
                await RandomAccess.WriteAsync(handle, value, header.Length, token);
                RandomAccess.FlushToDisk(handle); // the rename must never publish an entry whose data is not on disk
                File.SetLastWriteTimeUtc(handle, now.UtcDateTime);
            }
            File.Move(temp, path, overwrite: true); // rename(2): atomic replacement
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <inheritdoc />
    public void Refresh(string key) => RefreshAsync(key).GetAwaiter().GetResult();

    /// <inheritdoc />
    public Task RefreshAsync(string key, CancellationToken token = default)
    {
        using var handle = Open(EntryPath(key));
        if (handle is not null) Touch(handle, _time.GetUtcNow());
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Remove(string key) => TryDelete(EntryPath(key));

    /// <inheritdoc />
    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    /// <summary>The last use of <paramref name="key"/> (the entry's mtime), or null if it is not stored.</summary>
    public DateTimeOffset? LastUse(string key)
    {
        using var handle = Open(EntryPath(key));
        return handle is null ? null : new DateTimeOffset(File.GetLastWriteTimeUtc(handle), TimeSpan.Zero);
    }

    /// <summary>
    /// Deletes temporary files left by writers that died (not locked by a live writer and older than the grace period).
    /// Returns how many were removed. Runs when the index is opened.
    /// </summary>
    public int CollectTemporaryFiles()
    {
        var removed = 0;
        var cutoff = DateTime.UtcNow - TempGracePeriod;
        foreach (var fanOut in System.IO.Directory.EnumerateDirectories(Directory))
        {
            foreach (var temp in System.IO.Directory.EnumerateFiles(fanOut, TempPrefix + "*"))
            {
                try
                {
                    if (File.GetLastWriteTimeUtc(temp) > cutoff) continue;
                    // A live writer holds an exclusive flock: opening with FileShare.None then fails.
                    using var probe = File.OpenHandle(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                    File.Delete(temp);
                    removed++;
                }
                catch (IOException) { } // held by a writer, or already gone
            }
        }
        return removed;
    }

    /// <summary>
    /// Deletes entries whose expiration has passed; returns how many. Safe against a writer renaming a fresh value
    /// in meanwhile: the candidate is first renamed aside, and put back if what was moved turns out to be fresh.
    /// </summary>
    public int CollectExpired()
    {
        var removed = 0;
        var now = _time.GetUtcNow();
        foreach (var fanOut in System.IO.Directory.EnumerateDirectories(Directory))
        {
            foreach (var entry in System.IO.Directory.EnumerateFiles(fanOut))
            {
                if (Path.GetFileName(entry).StartsWith(TempPrefix, StringComparison.Ordinal) || !IsExpired(entry, now)) continue;
                // Named like a temporary file so a crash here leaves something the next open collects. Another
                // process's collector may delete it only once older than the grace period: an expired entry is, a
                // fresh value renamed in by a racing writer is not, so what it could take is only what we would.
                var aside = Path.Combine(fanOut, TempPrefix + "gc-" + Guid.NewGuid().ToString("N"));
                try { File.Move(entry, aside); }
                catch (FileNotFoundException) { continue; }
                if (IsExpired(aside, now))
                {
                    File.Delete(aside);
                    removed++;
                    continue;
                }
                // A fresh value landed between the check and the rename: put it back unless an even newer one is there.
                try { File.Move(aside, entry, overwrite: false); }
                catch (IOException) { File.Delete(aside); }
            }
        }
        return removed;
    }

    /// <summary>
    /// Lists the stored entries (expired ones included, flagged) with their size and last use: what prune and check
    /// walk. Damaged entries are reported by <see cref="InvalidDataException"/> from <see cref="GetAsync"/>, skipped here.
    /// </summary>
    public IEnumerable<FileCacheEntry> Entries()
    {
        var now = _time.GetUtcNow();
        foreach (var fanOut in System.IO.Directory.EnumerateDirectories(Directory))
            foreach (var path in System.IO.Directory.EnumerateFiles(fanOut))
            {
                if (Path.GetFileName(path).StartsWith(TempPrefix, StringComparison.Ordinal)) continue;
                if (ReadEntry(path) is not { } found) continue;
                yield return new FileCacheEntry(found.Entry.Key, found.Size, found.LastUse, found.Entry.IsExpired(found.LastUse, now));
            }
    }

    private static bool IsExpired(string path, DateTimeOffset now) =>
        ReadEntry(path) is { } found && found.Entry.IsExpired(found.LastUse, now);

    private static (IndexEntry Entry, long Size, DateTimeOffset LastUse)? ReadEntry(string path)
    {
        using var handle = Open(path);
        if (handle is null) return null;
        try
        {
            var entry = IndexEntry.ReadAsync(handle, path, CancellationToken.None).GetAwaiter().GetResult();
            return (entry, RandomAccess.GetLength(handle), new DateTimeOffset(File.GetLastWriteTimeUtc(handle), TimeSpan.Zero));
        }
        catch (InvalidDataException) { return null; } // damaged: left for `ashlar check`, never collected blindly
    }

    /// <summary>The entry file for a key: sha256 of the key, fanned out over 256 directories by its first byte.</summary>
    internal string EntryPath(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hex = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        return Path.Combine(Directory, hex[..2], hex[2..]);
    }

    private static DateTimeOffset? AbsoluteExpiration(DistributedCacheEntryOptions options, DateTimeOffset now)
    {
        if (options.AbsoluteExpirationRelativeToNow is { } relative)
            return relative > TimeSpan.Zero ? now + relative
                : throw new ArgumentOutOfRangeException(nameof(options), relative, "the relative expiration must be positive");
        if (options.AbsoluteExpiration is { } absolute && absolute <= now)
            throw new ArgumentOutOfRangeException(nameof(options), absolute, "the absolute expiration must be in the future");
        return options.AbsoluteExpiration;
    }

    private static SafeFileHandle? Open(string path)
    {
        try
        {
            // Shared with readers, writers renaming over it, and deleters.
            return File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
    }

    private static void Touch(SafeFileHandle handle, DateTimeOffset now) =>
        File.SetLastWriteTimeUtc(handle, now.UtcDateTime);

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (DirectoryNotFoundException) { }
    }
}
