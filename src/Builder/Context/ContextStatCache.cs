using System.Collections.Concurrent;
using System.Text;

namespace Ashlar.Builder.Context;

/// <summary>
/// Remembers the sha256 of context files keyed by what stat says about them (device, inode, size, mtime, ctime), so
/// an unchanged context costs stats, not reads. Persistent: <see cref="LoadAsync"/> from and <see cref="SaveAsync"/>
/// to one file (written to a temp file and renamed, so a crash never leaves half of it). Safe for concurrent use.
/// A changed file always changes its ctime, so a stale digest is never served.
/// </summary>
public sealed class ContextStatCache
{
    private const string Magic = "ashlar-statcache-1";
    private readonly ConcurrentDictionary<string, Record> _records = new(StringComparer.Ordinal);
    private readonly string? _file;
    private int _changed;

    /// <summary>A cache that lives in memory only.</summary>
    public ContextStatCache() { }

    private ContextStatCache(string file) => _file = file;

    /// <summary>What stat said when the digest was taken.</summary>
    internal readonly record struct FileStamp(ulong Device, ulong Inode, long Size, long ModifiedNanoseconds, long ChangedNanoseconds);

    private readonly record struct Record(FileStamp Stamp, byte[] Sha256);

    /// <summary>Hits served since this cache was created (for the cache's explain output and tests).</summary>
    public int Hits => _hits;
    private int _hits;

    /// <summary>Loads the cache from <paramref name="file"/>; a missing or unreadable file gives an empty cache.</summary>
    public static async Task<ContextStatCache> LoadAsync(string file, CancellationToken cancellationToken = default)
    {
        var cache = new ContextStatCache(file);
        if (!File.Exists(file)) return cache;
        try
        {
            var bytes = await File.ReadAllBytesAsync(file, cancellationToken);
            using var reader = new BinaryReader(new MemoryStream(bytes), Encoding.UTF8);
            if (reader.ReadString() != Magic) return cache;
            var count = reader.ReadInt32();
            for (var i = 0; i < count; i++)
            {
                var path = reader.ReadString();
                var stamp = new FileStamp(reader.ReadUInt64(), reader.ReadUInt64(), reader.ReadInt64(), reader.ReadInt64(), reader.ReadInt64());
                cache._records[path] = new Record(stamp, reader.ReadBytes(32));
            }
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or FormatException)
        {
            cache._records.Clear(); // a damaged cache only costs a re-hash
        }
        return cache;
    }

    internal byte[]? TryGet(string fullPath, FileStamp stamp)
    {
        if (_records.TryGetValue(fullPath, out var record) && record.Stamp == stamp)
        {
            Interlocked.Increment(ref _hits);
            return record.Sha256;
        }
        return null;
    }

    internal void Set(string fullPath, FileStamp stamp, byte[] sha256)
    {
        _records[fullPath] = new Record(stamp, sha256);
        Interlocked.Exchange(ref _changed, 1);
    }

    /// <summary>Writes the cache back to its file when anything changed (no-op for an in-memory cache).</summary>
    public async Task SaveAsync(CancellationToken cancellationToken = default)
    {
        if (_file is null || Interlocked.Exchange(ref _changed, 0) == 0) return;
        var snapshot = _records.ToArray();
        using var buffer = new MemoryStream();
        await using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            writer.Write(snapshot.Length);
            foreach (var (path, record) in snapshot)
            {
                writer.Write(path);
                writer.Write(record.Stamp.Device);
                writer.Write(record.Stamp.Inode);
                writer.Write(record.Stamp.Size);
                writer.Write(record.Stamp.ModifiedNanoseconds);
                writer.Write(record.Stamp.ChangedNanoseconds);
                writer.Write(record.Sha256);
            }
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_file))!);
        var temp = $"{_file}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temp, buffer.ToArray(), cancellationToken);
        File.Move(temp, _file, overwrite: true);
    }
}
