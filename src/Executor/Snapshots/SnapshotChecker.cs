using System.Security.Cryptography;
using System.Text;
using Ashlar.Images.Store;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// The snapshots' part of <c>ashlar check</c>: every snapshot directory has readable metadata, its files, a name that
/// leads back to it and a committed parent; every name leads to a snapshot; nothing is left by a dead process.
/// Repair removes the broken snapshots with everything that stands on them, and the leftovers.
/// </summary>
internal static class SnapshotChecker
{
    // A directory without info may be one another process is creating right now.
    private static readonly TimeSpan CreationGrace = TimeSpan.FromMinutes(1);

    public static void Check(Snapshotter snapshots, ICollection<StoreProblem> problems, Func<LiveLeases> readLeases, bool repair)
    {
        var root = snapshots.Root;
        var all = StoredSnapshot.List(root);
        var leases = readLeases();
        var byName = all.Where(s => s.Info is not null).GroupBy(s => s.Info!.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var broken = new Dictionary<string, string>(StringComparer.Ordinal); // id -> what is wrong

        foreach (var snapshot in all)
        {
            if (snapshot.Info is not { } info)
            {
                if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(snapshot.Path) > CreationGrace)
                    broken[snapshot.Id] = $"snapshot metadata is damaged: {snapshot.Damage}";
                continue;
            }
            if (SnapshotOwner.IsLeftover(info.Name, leases))
                broken[snapshot.Id] = $"leftover of a dead process: {info.Kind.ToString().ToLowerInvariant()} snapshot \"{info.Name}\"";
            else if (DateTime.UtcNow - snapshot.ChangedUtc < CreationGrace)
                continue; // may be half made by a running process
            else if (!Directory.Exists(info.Directory))
                broken[snapshot.Id] = $"snapshot \"{info.Name}\" has no fs directory";
            else if (snapshots.Stat(info.Name) is not { } named || named.Directory != info.Directory)
                broken[snapshot.Id] = $"snapshot \"{info.Name}\" cannot be found by its name (names/{NameHash(info.Name)} is missing or points elsewhere)";
            else if (info.Parent is { } parent && !(byName.TryGetValue(parent, out var parents) && parents.Any(p => p.Info!.Kind == SnapshotKind.Committed)))
                broken[snapshot.Id] = $"snapshot \"{info.Name}\" stands on \"{parent}\", which is not a committed snapshot";
        }

        // Whatever stands on a broken snapshot cannot be mounted either.
        for (var grew = true; grew;)
        {
            grew = false;
            var brokenNames = all.Where(s => broken.ContainsKey(s.Id) && s.Info is not null).Select(s => s.Info!.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var snapshot in all.Where(s => !broken.ContainsKey(s.Id) && s.Info?.Parent is { } p && brokenNames.Contains(p)))
            {
                broken[snapshot.Id] = $"snapshot \"{snapshot.Info!.Name}\" stands on the broken snapshot \"{snapshot.Info.Parent}\"";
                grew = true;
            }
        }

        foreach (var snapshot in all.Where(s => broken.ContainsKey(s.Id)))
        {
            var repaired = false;
            if (repair)
            {
                if (snapshot.Info is { } info && snapshots.Stat(info.Name)?.Directory == info.Directory)
                    File.Delete(Path.Combine(root, "names", NameHash(info.Name)));
                var doomed = Path.Combine(root, "removing-" + snapshot.Id);
                Directory.Move(snapshot.Path, doomed);
                Snapshotter.DeleteTree(doomed);
                repaired = true;
            }
            problems.Add(new StoreProblem(snapshot.Path, broken[snapshot.Id], repaired));
        }

        var names = Path.Combine(root, "names");
        if (Directory.Exists(names))
            foreach (var link in Directory.EnumerateFileSystemEntries(names))
            {
                var target = new FileInfo(link).LinkTarget;
                var targetDir = target is null ? null : Path.GetFullPath(Path.Combine(names, target));
                var snapshot = all.FirstOrDefault(s => s.Path == targetDir);
                string? problem = target is null ? "not a symlink to a snapshot"
                    : !Directory.Exists(targetDir) ? $"names a snapshot that does not exist ({target})"
                    : snapshot?.Info is { } info && NameHash(info.Name) != Path.GetFileName(link) ? $"points at \"{info.Name}\", whose name hashes elsewhere"
                    : null;
                if (problem is null) continue;
                if (repair) File.Delete(link);
                problems.Add(new StoreProblem(link, problem, repair));
            }

        foreach (var removing in SnapshotPruner.AbandonedRemovals(root, leases))
        {
            if (repair) Snapshotter.DeleteTree(removing);
            problems.Add(new StoreProblem(removing, "leftover of an interrupted removal", repair));
        }
    }

    private static string NameHash(string name) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)));
}
