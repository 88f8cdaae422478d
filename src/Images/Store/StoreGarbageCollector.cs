using System.Globalization;
using Ashlar.Images.Content;
using Ashlar.Images.Native;

namespace Ashlar.Images.Store;

/// <summary>
/// Garbage collection of a whole store: dangling images, build cache entries (least recently used first), the blobs
/// and snapshots nothing needs any more, and what dead processes left. Runs under a store-wide lock
/// (<c>&lt;root&gt;/gc.lock</c>) so two collections never interleave, and never removes what a live
/// <see cref="StoreLease"/> holds, so builds keep running while it works.
/// </summary>
/// <remarks>
/// Liveness is decided after the candidates are listed (a lease is always taken before what it holds is made), and
/// everything written or used since the oldest live lease began is kept: that covers a running build's new layers,
/// its not yet tagged image, and the cache entries it hit, without the build recording each of them.
/// </remarks>
public sealed class StoreGarbageCollector
{
    /// <summary>The environment variable that sets the automatic limit (<c>10GB</c>, <c>500MB</c>, bytes; <c>0</c> disables).</summary>
    public const string KeepStorageVariable = "ASHLAR_GC_KEEP_STORAGE";

    /// <summary>Without <see cref="KeepStorageVariable"/>, the automatic limit is this share of the store's filesystem.</summary>
    public const double DefaultKeepStorageShare = 0.10;

    private const string LockFileName = "gc.lock";
    private const string ScratchDirectory = "tmp";
    private const string IngestDirectory = "ingest";

    // A blob being written is locked and named by its writer's pid; one older than this with neither is abandoned.
    private static readonly TimeSpan IngestGracePeriod = TimeSpan.FromHours(24);

    // The automatic collection keeps recent unreferenced blobs: a pull holds no lease.
    private static readonly TimeSpan AutomaticKeepRecent = TimeSpan.FromMinutes(10);

    private readonly ImageStore _store;
    private readonly ISnapshotCollector? _snapshots;
    private readonly ICacheCollector? _cache;

    /// <summary>A collector for <paramref name="store"/>, with the snapshots and build cache that live in it.</summary>
    public StoreGarbageCollector(ImageStore store, ISnapshotCollector? snapshots = null, ICacheCollector? cache = null)
    {
        _store = store;
        _snapshots = snapshots;
        _cache = cache;
    }

    private string Root => _store.Root;
    private string LockPath => LockPathOf(Root);

    internal static string LockPathOf(string storeRoot) => Path.Combine(storeRoot, LockFileName);

    /// <summary>Runs a full collection (<c>ashlar prune</c>), waiting for a running one to finish first.</summary>
    public async Task<GarbageCollectionResult> CollectAsync(GarbageCollectionOptions options, CancellationToken cancellationToken = default)
    {
        using var _ = await FileLock.AcquireAsync(LockPath, cancellationToken);
        return await CollectLockedAsync(options, cancellationToken);
    }

    /// <summary>
    /// Removes only what dead processes left (a killed build's step snapshots and scratch directory, partial blobs):
    /// cheap, for the start of every build. Skipped while a collection runs, which does the same.
    /// </summary>
    public CollectedItems CollectLeftovers()
    {
        try
        {
            using var gcLock = FileLock.TryAcquire(LockPath);
            return gcLock is null ? CollectedItems.None : CollectLeftoversLocked();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CollectedItems.None; // never a reason to fail the build that asked; prune reports it
        }
    }

    /// <summary>
    /// The automatic limit, for the end of every build: when the store holds more than <paramref name="keepStorage"/>
    /// bytes (default: <see cref="AutomaticKeepStorage"/>), removes build cache entries, least recently used first, and
    /// what they alone kept, until it is under. Images are never touched. Null when nothing had to be done (or another
    /// collection is running).
    /// </summary>
    public async Task<GarbageCollectionResult?> CollectToLimitAsync(long? keepStorage = null, CancellationToken cancellationToken = default)
    {
        var limit = keepStorage ?? AutomaticKeepStorage(Root);
        if (limit <= 0) return null;
        if (QuickSize() <= limit) return null;
        using var gcLock = FileLock.TryAcquire(LockPath);
        if (gcLock is null) return null;
        return await CollectLockedAsync(new GarbageCollectionOptions
        {
            DanglingImages = false,
            KeepStorage = limit,
            KeepRecent = AutomaticKeepRecent,
        }, cancellationToken);
    }

    /// <summary>
    /// The automatic limit for the store at <paramref name="storeRoot"/>: <c>$ASHLAR_GC_KEEP_STORAGE</c> when set (0
    /// disables it), else 10% of its filesystem.
    /// </summary>
    public static long AutomaticKeepStorage(string storeRoot)
    {
        if (Environment.GetEnvironmentVariable(KeepStorageVariable) is { Length: > 0 } text)
        {
            try { return ParseSize(text); }
            catch (FormatException e) { throw new FormatException($"${KeepStorageVariable}: {e.Message}", e); }
        }
        try { return (long)(new DriveInfo(storeRoot).TotalSize * DefaultKeepStorageShare); }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException) { return 0; }
    }

    /// <summary>
    /// A size as docker takes it: a number with an optional unit, decimal (<c>kB MB GB TB</c>, also <c>k m g t</c>) or
    /// binary (<c>KiB MiB GiB TiB</c>); <c>10GB</c>, <c>512mb</c>, <c>1.5GiB</c>, <c>1048576</c>.
    /// </summary>
    public static long ParseSize(string text)
    {
        var value = text.Trim();
        var split = value.Length;
        while (split > 0 && char.IsAsciiLetter(value[split - 1])) split--;
        var number = value[..split].Trim();
        var unit = value[split..].ToLowerInvariant();
        double multiplier = unit switch
        {
            "" or "b" => 1,
            "k" or "kb" => 1e3, "m" or "mb" => 1e6, "g" or "gb" => 1e9, "t" or "tb" => 1e12,
            "ki" or "kib" => 1L << 10, "mi" or "mib" => 1L << 20, "gi" or "gib" => 1L << 30, "ti" or "tib" => 1L << 40,
            _ => throw new FormatException($"\"{text}\": unknown size unit \"{value[split..]}\" (use B, kB, MB, GB, TB or KiB, MiB, GiB, TiB)"),
        };
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount < 0)
            throw new FormatException($"\"{text}\": expected a size such as 10GB");
        return (long)(amount * multiplier);
    }

    /// <summary>The store's size by what keeps it.</summary>
    public async Task<StoreUsage> UsageAsync(CancellationToken cancellationToken = default)
    {
        var blobs = ListBlobs();
        var entries = _cache?.Entries() ?? [];
        var sizes = _snapshots?.Sizes() ?? new Dictionary<string, long>();
        var leases = StoreLease.ReadAll(Root);
        var protectedSince = leases.ProtectedSince(DateTimeOffset.UtcNow);
        var (imageBlobs, imageChains) = await _store.MarkAsync(cancellationToken);
        var imageSnapshots = imageChains.Select(c => c.ToString()).ToHashSet(StringComparer.Ordinal);
        var active = entries.Where(e => e.LastUse >= protectedSince).ToList();

        long CacheShare(IEnumerable<CacheUse> selected, IEnumerable<CacheUse> others)
        {
            var otherBlobs = others.SelectMany(e => e.Blobs).ToHashSet();
            var otherSnapshots = others.SelectMany(e => e.Snapshots).ToHashSet(StringComparer.Ordinal);
            var list = selected.ToList();
            return list.Sum(e => e.Size)
                + list.SelectMany(e => e.Blobs).Distinct().Where(b => !imageBlobs.Contains(b) && !otherBlobs.Contains(b)).Sum(b => blobs.TryGetValue(b, out var f) ? f.Size : 0)
                + list.SelectMany(e => e.Snapshots).Distinct(StringComparer.Ordinal).Where(s => !imageSnapshots.Contains(s) && !otherSnapshots.Contains(s)).Sum(s => sizes.GetValueOrDefault(s));
        }

        var cacheSnapshots = entries.SelectMany(e => e.Snapshots).ToHashSet(StringComparer.Ordinal);
        return new StoreUsage(
            blobs.Values.Sum(b => b.Size),
            sizes.Count,
            sizes.Values.Sum(),
            sizes.Where(s => !imageSnapshots.Contains(s.Key) && !cacheSnapshots.Contains(s.Key)).Sum(s => s.Value),
            entries.Count,
            active.Count,
            CacheShare(entries, []),
            CacheShare(entries.Except(active), active),
            entries.Sum(e => e.Size));
    }

    private long QuickSize() =>
        ListBlobs().Values.Sum(b => b.Size) + (_snapshots?.Sizes().Values.Sum() ?? 0) + (_cache?.Entries().Sum(e => e.Size) ?? 0);

    private async Task<GarbageCollectionResult> CollectLockedAsync(GarbageCollectionOptions options, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var leftovers = CollectLeftoversLocked();
        long reclaimed = leftovers.Bytes;
        List<Digest> deletedImages = options.DanglingImages ? await _store.RemoveDanglingAsync(cancellationToken) : [];

        // Candidates first, liveness after: whatever a lease taken from now on makes is newer than `now`.
        var blobs = ListBlobs();
        var entries = _cache?.Entries() ?? [];
        var leases = StoreLease.ReadAll(Root);
        var protectedSince = leases.ProtectedSince(now);
        if (now - options.KeepRecent < protectedSince) protectedSince = now - options.KeepRecent;
        var (imageBlobs, imageChains) = await _store.MarkAsync(cancellationToken);
        var imageSnapshots = imageChains.Select(c => c.ToString()).ToHashSet(StringComparer.Ordinal);

        var removable = entries
            .Where(e => e.LastUse < protectedSince
                && (options.Until is not { } until || e.LastUse < now - until)
                && !e.Blobs.Any(leases.Blobs.Contains) && !e.Snapshots.Any(leases.Snapshots.Contains))
            .OrderBy(e => e.LastUse).ThenBy(e => e.Key, StringComparer.Ordinal)
            .ToList();
        List<CacheUse> doomed;
        if (options.KeepStorage is { } keep)
            doomed = LeastRecentlyUsedOver(keep, removable, entries, blobs, imageBlobs, imageSnapshots, leases);
        else
            doomed = options.AllCache || options.Until is not null ? removable : [];
        var deletedEntries = new List<string>();
        foreach (var entry in doomed)
        {
            reclaimed += await _cache!.RemoveAsync(entry, cancellationToken);
            deletedEntries.Add(entry.Key);
        }

        var remaining = entries.Except(doomed).ToList();
        var liveBlobs = new HashSet<Digest>(imageBlobs);
        liveBlobs.UnionWith(remaining.SelectMany(e => e.Blobs));
        liveBlobs.UnionWith(leases.Blobs);
        var deletedBlobs = new List<Digest>();
        foreach (var (digest, file) in blobs)
        {
            if (liveBlobs.Contains(digest)) continue;
            // Checked again right before deleting: a build may have written (or re-used) it since it was listed.
            var path = _store.Content.PathOf(digest);
            if (File.GetLastWriteTimeUtc(path) >= protectedSince.UtcDateTime) continue;
            if (_store.Content.Delete(digest))
            {
                deletedBlobs.Add(digest);
                reclaimed += file.Size;
            }
        }

        // Records of lazy blobs go with the images that need them (or once their blob is here).
        _store.Lazy.Collect(liveBlobs, protectedSince.UtcDateTime);

        var deletedSnapshots = CollectedItems.None;
        if (_snapshots is not null)
        {
            var keepSnapshots = new HashSet<string>(imageSnapshots, StringComparer.Ordinal);
            keepSnapshots.UnionWith(remaining.SelectMany(e => e.Snapshots));
            deletedSnapshots = _snapshots.Prune(keepSnapshots, leases, protectedSince);
            reclaimed += deletedSnapshots.Bytes;
        }
        return new GarbageCollectionResult(deletedImages, deletedEntries, deletedBlobs, deletedSnapshots.Names, leftovers.Names, reclaimed);
    }

    // Least recently used first, until the store's size, less what each removal frees, is under the limit.
    private List<CacheUse> LeastRecentlyUsedOver(long keep, List<CacheUse> removable, IReadOnlyList<CacheUse> entries,
        Dictionary<Digest, BlobFile> blobs, HashSet<Digest> imageBlobs, HashSet<string> imageSnapshots, LiveLeases leases)
    {
        var sizes = _snapshots?.Sizes() ?? new Dictionary<string, long>();
        var total = blobs.Values.Sum(b => b.Size) + sizes.Values.Sum() + entries.Sum(e => e.Size);
        var blobUsers = entries.SelectMany(e => e.Blobs.Distinct()).CountBy(b => b).ToDictionary();
        var snapshotUsers = entries.SelectMany(e => e.Snapshots.Distinct(StringComparer.Ordinal)).CountBy(s => s, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        var doomed = new List<CacheUse>();
        foreach (var entry in removable)
        {
            if (total <= keep) break;
            doomed.Add(entry);
            total -= entry.Size;
            foreach (var blob in entry.Blobs.Distinct())
                if (--blobUsers[blob] == 0 && !imageBlobs.Contains(blob) && !leases.Blobs.Contains(blob) && blobs.TryGetValue(blob, out var file))
                    total -= file.Size;
            foreach (var snapshot in entry.Snapshots.Distinct(StringComparer.Ordinal))
                if (--snapshotUsers[snapshot] == 0 && !imageSnapshots.Contains(snapshot) && !leases.Snapshots.Contains(snapshot))
                    total -= sizes.GetValueOrDefault(snapshot);
        }
        return doomed;
    }

    private readonly record struct BlobFile(long Size);

    private Dictionary<Digest, BlobFile> ListBlobs()
    {
        var blobs = new Dictionary<Digest, BlobFile>();
        foreach (var digest in _store.Content.List())
            if (_store.Content.SizeOf(digest) is { } size)
                blobs[digest] = new BlobFile(size);
        return blobs;
    }

    // ---- leftovers of dead processes ----

    private CollectedItems CollectLeftoversLocked()
    {
        var names = new List<string>();
        long bytes = 0;
        // Listed before the leases are read: a lease is taken before its holder makes anything.
        var scratch = Directory.Exists(Path.Combine(Root, ScratchDirectory))
            ? Directory.GetDirectories(Path.Combine(Root, ScratchDirectory), "build-*")
            : [];
        var leases = StoreLease.ReadAll(Root);
        var dead = scratch.Where(d => !leases.IsLive(Path.GetFileName(d))).ToList();
        // A killed build leaves its host mounts (file steps mount snapshots in its scratch directory): they go first,
        // or their snapshots could not be deleted.
        foreach (var directory in dead) Unmount(directory);

        // The snapshots read the leases again, after listing themselves.
        try
        {
            var snapshots = _snapshots?.CollectLeftovers(() => StoreLease.ReadAll(Root)) ?? CollectedItems.None;
            names.AddRange(snapshots.Names);
            bytes += snapshots.Bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the next collection retries

        foreach (var directory in dead)
        {
            try
            {
                var size = TreeSize(directory);
                DeleteTree(directory);
                bytes += size;
                names.Add(Path.GetRelativePath(Root, directory));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        foreach (var file in AbandonedTemporaryFiles())
        {
            try
            {
                var size = new FileInfo(file).Length;
                File.Delete(file);
                bytes += size;
                names.Add(Path.GetRelativePath(Root, file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        // Last: the lease files of dead holders, once what they held is gone.
        StoreLease.ReadAll(Root, removeDead: true);
        return new CollectedItems(names, bytes);
    }

    /// <summary>Detaches every mount at or below <paramref name="directory"/> (deepest first), as listed in /proc/self/mountinfo.</summary>
    internal static void Unmount(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        var points = new List<string>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var fields = line.Split(' ');
            if (fields.Length < 5) continue;
            var point = UnescapeMountPath(fields[4]);
            if (point.StartsWith(prefix, StringComparison.Ordinal) || point == directory) points.Add(point);
        }
        foreach (var point in points.OrderByDescending(p => p.Length))
            LibC.Unmount(point, LibC.MNT_DETACH);
    }

    // mountinfo writes space, tab, newline and backslash as \ooo octal escapes.
    private static string UnescapeMountPath(string text)
    {
        if (!text.Contains('\\')) return text;
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && text.Length - i >= 4)
            {
                builder.Append((char)Convert.ToInt32(text.Substring(i + 1, 3), 8));
                i += 3;
            }
            else builder.Append(text[i]);
        }
        return builder.ToString();
    }

    /// <summary>
    /// Partial blobs (<c>ingest/&lt;pid&gt;-...</c>) and index.json temporaries (<c>index.json.&lt;pid&gt;....tmp</c>)
    /// whose writer is gone: its pid is not running, or the file is old and unlocked.
    /// </summary>
    internal IEnumerable<string> AbandonedTemporaryFiles()
    {
        var ingest = Path.Combine(Root, IngestDirectory);
        if (Directory.Exists(ingest))
            foreach (var file in Directory.EnumerateFiles(ingest))
            {
                var name = Path.GetFileName(file);
                var dash = name.IndexOf('-');
                var writerGone = dash > 0 && int.TryParse(name[..dash], out var pid) && !LiveLeases.IsProcessRunning(pid);
                if (writerGone || (DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > IngestGracePeriod && !IsLocked(file)))
                    yield return file;
            }
        foreach (var file in Directory.EnumerateFiles(Root, "*.tmp"))
        {
            var parts = Path.GetFileName(file).Split('.');
            if (parts.Length >= 4 && int.TryParse(parts[^3], out var pid) && !LiveLeases.IsProcessRunning(pid))
                yield return file;
        }
    }

    // BlobWriter opens its temp file with FileShare.None, which .NET turns into an exclusive flock.
    private static bool IsLocked(string path)
    {
        try
        {
            using var probe = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException) { return true; }
    }

    internal static long TreeSize(string path)
    {
        try
        {
            return new DirectoryInfo(path).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
                .Sum(f => f.LinkTarget is null ? f.Length : 0);
        }
        catch (IOException) { return 0; }
    }

    internal static void DeleteTree(string path)
    {
        if (!Directory.Exists(path)) return;
        // A RUN step may leave directories without permissions (chmod 000); root may delete them once it can list them.
        foreach (var dir in Directory.EnumerateDirectories(path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
            try { File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
            catch (IOException) { }
        try { Directory.Delete(path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
