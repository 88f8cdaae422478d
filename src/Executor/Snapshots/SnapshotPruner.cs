using System.Globalization;
using Ashlar.Images.Content;
using Ashlar.Images.Store;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// The snapshots' part of <c>ashlar prune</c> and the store's garbage collection: drops the unpacked layers (committed
/// snapshots named by chain ID) that no remaining image or cache entry needs, and what dead processes left (see
/// <see cref="SnapshotOwner"/>). Active snapshots and views of running processes, and everything they stand on, are
/// never touched; neither are a running build's step snapshots (<c>build:...</c>), which the build removes itself.
/// </summary>
public sealed class SnapshotPruner(Snapshotter snapshots) : IPruneParticipant, ISnapshotCollector
{
    private const string SizesFileName = "sizes";

    /// <summary>The pruner of the snapshots under an image store's root (<c>&lt;root&gt;/snapshots</c>).</summary>
    public static SnapshotPruner ForStore(string storeRoot) => new(new Snapshotter(Path.Combine(storeRoot, "snapshots")));

    /// <inheritdoc />
    public string Name => "snapshots";

    /// <summary>The snapshots the last <see cref="PruneAsync"/> or <see cref="Prune"/> removed, by name.</summary>
    public IReadOnlyList<string> Removed { get; private set; } = [];

    /// <inheritdoc />
    public Task<long> PruneAsync(IReadOnlySet<Digest> liveChainIds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var live = liveChainIds.Select(c => c.ToString()).ToHashSet(StringComparer.Ordinal);
        var (removed, reclaimed) = snapshots.Prune(s => live.Contains(s.Name) || s.Name.StartsWith(SnapshotOwner.BuildPrefix, StringComparison.Ordinal));
        Removed = removed;
        return Task.FromResult(reclaimed);
    }

    /// <inheritdoc />
    public CollectedItems CollectLeftovers(Func<LiveLeases> readLeases)
    {
        var all = StoredSnapshot.List(snapshots.Root).Where(s => s.Info is not null).ToList();
        var leases = readLeases();
        var dead = all.Where(s => SnapshotOwner.IsLeftover(s.Info!.Name, leases)).ToList();

        var names = new List<string>();
        long bytes = 0;
        try { snapshots.RemoveInterruptedCommitLinks(all); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the next collection tries again
        foreach (var removal in AbandonedRemovals(snapshots.Root, leases))
        {
            try
            {
                bytes += StoreGarbageCollector.TreeSize(removal);
                Snapshotter.DeleteTree(removal);
                names.Add(Path.GetFileName(removal));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        // Active ones first: they keep their parents, which may be dead build steps too.
        foreach (var snapshot in dead.Where(s => s.Info!.Kind != SnapshotKind.Committed))
        {
            var size = StoreGarbageCollector.TreeSize(snapshot.Path);
            try
            {
                snapshots.Remove(snapshot.Info!.Name);
                names.Add(snapshot.Info.Name);
                bytes += size;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or SnapshotNotFoundException)
            {
                // e.g. still mounted by a container that outlived its builder: the next collection tries again.
            }
        }
        var committed = dead.Where(s => s.Info!.Kind == SnapshotKind.Committed).Select(s => s.Info!.Name).ToHashSet(StringComparer.Ordinal);
        if (committed.Count > 0)
        {
            try
            {
                var (removed, reclaimed) = snapshots.Prune(s => !committed.Contains(s.Name));
                names.AddRange(removed);
                bytes += reclaimed;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { } // the next collection retries
        }
        return new CollectedItems(names, bytes);
    }

    /// <summary>
    /// <c>removing-*</c> directories a killed process was deleting. A live one deletes its own right after renaming,
    /// so while another process holds a lease only old ones count (two deleters of one tree would trip each other up).
    /// </summary>
    internal static IEnumerable<string> AbandonedRemovals(string root, LiveLeases leases) =>
        Directory.Exists(root)
            ? Directory.EnumerateDirectories(root, "removing-*")
                .Where(d => leases.ProcessIds.All(pid => pid == Environment.ProcessId)
                    || DateTime.UtcNow - Directory.GetLastWriteTimeUtc(d) > TimeSpan.FromMinutes(10))
                .ToList()
            : [];

    /// <inheritdoc />
    public CollectedItems Prune(IReadOnlySet<string> keep, LiveLeases leases, DateTimeOffset protectedSince)
    {
        var since = protectedSince.UtcDateTime;
        // Build steps stay: a dead build's were collected as leftovers, a live build's are its own to remove.
        var (removed, reclaimed) = snapshots.Prune(s =>
            keep.Contains(s.Name) || leases.Snapshots.Contains(s.Name)
            || s.Name.StartsWith(SnapshotOwner.BuildPrefix, StringComparison.Ordinal)
            || File.GetLastWriteTimeUtc(Path.Combine(Path.GetDirectoryName(s.Directory)!, "info")) >= since);
        Removed = removed;
        return new CollectedItems(removed, reclaimed);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A committed snapshot never changes, so its size is measured once and kept in <c>&lt;snapshots&gt;/sizes</c>
    /// (id, name, bytes), which keeps the check after every build cheap.
    /// </remarks>
    public IReadOnlyDictionary<string, long> Sizes()
    {
        var path = Path.Combine(snapshots.Root, SizesFileName);
        var known = new Dictionary<(string Id, string Name), long>();
        try
        {
            foreach (var line in File.ReadLines(path))
            {
                var parts = line.Split('\t', 3);
                if (parts.Length == 3 && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size))
                    known[(parts[0], parts[2])] = size;
            }
        }
        catch (FileNotFoundException) { }

        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var lines = new List<string>();
        var changed = false;
        foreach (var snapshot in StoredSnapshot.List(snapshots.Root))
        {
            if (snapshot.Info is not { Kind: SnapshotKind.Committed } info) continue;
            if (!known.TryGetValue((snapshot.Id, info.Name), out var size))
            {
                size = StoreGarbageCollector.TreeSize(info.Directory);
                changed = true;
            }
            sizes[info.Name] = size;
            lines.Add($"{snapshot.Id}\t{size.ToString(CultureInfo.InvariantCulture)}\t{info.Name}");
        }
        if (changed || lines.Count != known.Count)
        {
            var temp = $"{path}.{Environment.ProcessId}.tmp";
            try
            {
                File.WriteAllLines(temp, lines);
                File.Move(temp, path, overwrite: true);
            }
            catch (IOException) { } // only a cache
            catch (UnauthorizedAccessException) { }
        }
        return sizes;
    }

    /// <inheritdoc />
    public void Check(ICollection<StoreProblem> problems, Func<LiveLeases> readLeases, bool repair) =>
        SnapshotChecker.Check(snapshots, problems, readLeases, repair);
}
