using System.IO.Enumeration;
using System.Security.Cryptography;
using System.Text;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// Overlay snapshots in containerd's shape, as directories under a store's <c>snapshots</c> folder: each snapshot
/// is <c>&lt;id&gt;/fs</c> (its own layer, in overlay upper-dir form: whiteouts are 0/0 char devices, opaque
/// dirs carry <c>trusted.overlay.opaque=y</c>), a <c>work</c> dir while active, and an <c>info</c> file. Short
/// numeric ids keep the overlay mount options small. Names (chain IDs, step keys) map to ids through
/// <c>names/&lt;sha256 of the name&gt;</c> symlinks.
/// </summary>
public sealed class Snapshotter
{
    /// <summary>overlayfs refuses more lower layers than this; longer chains are flattened below the top ones.</summary>
    public const int MaxLowerLayers = 500;

    private const string FlattenedPrefix = "flattened:";

    private readonly string _root;
    private readonly int _maxLowers;
    private readonly Lock _lock = new();
    // Committed snapshots never change: their info is read once, then only the name's link is checked (a build reads
    // its whole lower chain at every step).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Stored> _committed = new(StringComparer.Ordinal);
    private int _nextId;

    /// <summary>Opens (creating if needed) the snapshots under <paramref name="root"/>, usually <c>&lt;store&gt;/snapshots</c>.</summary>
    public Snapshotter(string root) : this(root, MaxLowerLayers) { }

    internal Snapshotter(string root, int maxLowers)
    {
        _root = Path.GetFullPath(root);
        _maxLowers = maxLowers;
        Directory.CreateDirectory(NamesDirectory);
        Directory.CreateDirectory(EmptyDirectory);
        BlockGroupSpreading.MarkTopDirectory(_root);
    }

    /// <summary>The directory the snapshots live in.</summary>
    internal string Root => _root;

    private string NamesDirectory => Path.Combine(_root, "names");
    private string EmptyDirectory => Path.Combine(_root, "empty");

    /// <summary>Creates a writable snapshot on top of the committed <paramref name="parent"/> (null: empty) and returns its mounts.</summary>
    public IReadOnlyList<Mount> Prepare(string key, string? parent) => Create(key, parent, SnapshotKind.Active);

    /// <summary>Creates a read-only view of the committed <paramref name="parent"/> and returns its mounts.</summary>
    public IReadOnlyList<Mount> View(string key, string parent) => Create(key, parent, SnapshotKind.View);

    /// <summary>The mounts of an active snapshot or view.</summary>
    public IReadOnlyList<Mount> Mounts(string key)
    {
        var snapshot = Load(key) ?? throw new SnapshotNotFoundException(key);
        if (snapshot.Info.Kind == SnapshotKind.Committed)
            throw new InvalidOperationException($"snapshot \"{key}\" is committed: prepare or view a snapshot on top of it to mount it");
        return MountsOf(snapshot);
    }

    /// <summary>Turns the active snapshot <paramref name="key"/> into the read-only snapshot <paramref name="name"/>.</summary>
    public SnapshotInfo Commit(string name, string key)
    {
        ValidateName(name);
        lock (_lock)
        {
            var snapshot = Load(key) ?? throw new SnapshotNotFoundException(key);
            if (snapshot.Info.Kind != SnapshotKind.Active)
                throw new InvalidOperationException($"snapshot \"{key}\" is {snapshot.Info.Kind.ToString().ToLowerInvariant()}, only an active snapshot can be committed");
            if (Resolve(name) is not null) throw new SnapshotExistsException(name);
            var committed = snapshot.Info with { Name = name, Kind = SnapshotKind.Committed };
            // The symlink is the claim on the name, atomic across processes: write the info only once it is ours.
            ClaimName(name, snapshot.Id);
            WriteInfo(snapshot.Id, committed);
            File.Delete(NameLink(key));
            RemoveWorkDirectory(Path.Combine(_root, snapshot.Id, "work"));
            return committed;
        }
    }

    /// <summary>Removes a snapshot; a committed one must not be the parent of another.</summary>
    public void Remove(string key)
    {
        lock (_lock)
        {
            var snapshot = Load(key) ?? throw new SnapshotNotFoundException(key);
            if (Walk().FirstOrDefault(s => s.Parent == snapshot.Info.Name) is { } child)
                throw new InvalidOperationException($"snapshot \"{key}\" is the parent of \"{child.Name}\": remove that first");
            File.Delete(NameLink(key));
            _committed.TryRemove(snapshot.Info.Name, out _);
            // Rename first so a crash mid-delete never leaves a half snapshot under a live id.
            var doomed = Path.Combine(_root, "removing-" + snapshot.Id);
            Directory.Move(Path.Combine(_root, snapshot.Id), doomed);
            DeleteTree(doomed);
        }
    }

    /// <summary>
    /// Removes every committed snapshot that <paramref name="keep"/> rejects, unless something kept stands on it: an
    /// active snapshot or view (a running step, <c>ashlar run</c>, an unpack in progress) keeps its whole parent chain,
    /// and a kept chain keeps the flattened copy of its lower part. Returns the names removed and the bytes reclaimed.
    /// </summary>
    public (IReadOnlyList<string> Removed, long ReclaimedBytes) Prune(Func<SnapshotInfo, bool> keep)
    {
        lock (_lock)
        {
            var all = Directory.EnumerateDirectories(_root)
                .Select(d => Path.GetFileName(d)!)
                .Where(id => int.TryParse(id, out _))
                .Select(id => ReadInfo(id) is { } info ? new Stored(id, info) : null)
                .OfType<Stored>().ToList();
            var byName = all.ToDictionary(s => s.Info.Name);
            var kept = new HashSet<string>();
            foreach (var snapshot in all.Where(s => s.Info.Kind != SnapshotKind.Committed || keep(s.Info)))
                for (var name = snapshot.Info.Name; name is not null && kept.Add(name);)
                    name = byName.TryGetValue(name, out var stored) ? stored.Info.Parent : null;
            // "flattened:X" merges the chain below X: it is needed exactly while X is.
            foreach (var snapshot in all.Where(s => s.Info.Name.StartsWith(FlattenedPrefix, StringComparison.Ordinal)))
                if (kept.Contains(snapshot.Info.Name[FlattenedPrefix.Length..])) kept.Add(snapshot.Info.Name);

            var removed = new List<string>();
            long reclaimed = 0;
            // Every child of a removed snapshot is removed too (a kept child keeps its parents), so order does not matter.
            foreach (var snapshot in all.Where(s => !kept.Contains(s.Info.Name)))
            {
                if (Resolve(snapshot.Info.Name) != snapshot.Id) continue; // renamed or removed meanwhile
                File.Delete(NameLink(snapshot.Info.Name));
                _committed.TryRemove(snapshot.Info.Name, out _);
                var doomed = Path.Combine(_root, "removing-" + snapshot.Id);
                Directory.Move(Path.Combine(_root, snapshot.Id), doomed);
                reclaimed += SizeOf(doomed);
                DeleteTree(doomed);
                removed.Add(snapshot.Info.Name);
            }
            return (removed, reclaimed);
        }
    }

    /// <summary>A snapshot's info, or null when there is none by that key or name.</summary>
    public SnapshotInfo? Stat(string key) => Load(key)?.Info;

    /// <summary>Every snapshot.</summary>
    public IEnumerable<SnapshotInfo> Walk()
    {
        foreach (var dir in Directory.EnumerateDirectories(_root))
            if (int.TryParse(Path.GetFileName(dir), out _) && ReadInfo(Path.GetFileName(dir)) is { } info)
                yield return info;
    }

    private IReadOnlyList<Mount> Create(string key, string? parent, SnapshotKind kind)
    {
        ValidateName(key);
        lock (_lock)
        {
            if (Resolve(key) is not null) throw new SnapshotExistsException(key);
            if (parent is not null)
            {
                var stored = Load(parent) ?? throw new SnapshotNotFoundException(parent);
                if (stored.Info.Kind != SnapshotKind.Committed)
                    throw new InvalidOperationException($"parent \"{parent}\" is not a committed snapshot");
            }
            if (kind == SnapshotKind.View && parent is null)
                throw new ArgumentException("a view needs a parent", nameof(parent));
            var id = AllocateId();
            var dir = Path.Combine(_root, id);
            Directory.CreateDirectory(Path.Combine(dir, "fs"));
            if (kind == SnapshotKind.Active) Directory.CreateDirectory(Path.Combine(dir, "work"));
            var info = new SnapshotInfo(key, parent, kind, Path.Combine(dir, "fs"));
            // Through a temp file and rename: a kill mid-write must never leave a torn info for check and GC to read.
            WriteInfo(id, info);
            try { ClaimName(key, id); }
            catch (SnapshotExistsException)
            {
                DeleteTree(dir);
                throw;
            }
            return MountsOf(new Stored(id, info));
        }
    }

    private IReadOnlyList<Mount> MountsOf(Stored snapshot)
    {
        var lowers = LowerChain(snapshot.Info.Parent);
        if (snapshot.Info.Kind == SnapshotKind.View)
            return lowers.Count == 1
                ? [new Mount("bind", lowers[0], ["ro", "rbind"])]
                : [new Mount("overlay", "overlay", [$"lowerdir={string.Join(':', lowers)}"])];
        // overlay needs a lower even for a first layer: an empty directory makes the upper the whole layer.
        if (lowers.Count == 0) lowers = [EmptyDirectory];
        var dir = Path.Combine(_root, snapshot.Id);
        return [new Mount("overlay", "overlay", [
            $"lowerdir={string.Join(':', lowers)}", $"upperdir={Path.Combine(dir, "fs")}", $"workdir={Path.Combine(dir, "work")}"])];
    }

    /// <summary>The fs dirs of a committed chain, topmost first, flattened below the overlay limit.</summary>
    private List<string> LowerChain(string? parent)
    {
        var chain = new List<SnapshotInfo>();
        for (var name = parent; name is not null;)
        {
            var info = Stat(name) ?? throw new SnapshotNotFoundException(name);
            chain.Add(info);
            name = info.Parent;
        }
        if (chain.Count <= _maxLowers) return chain.Select(s => s.Directory).ToList();

        // Keep the top layers as they are and merge everything below into one cached snapshot.
        var kept = chain.Take(_maxLowers - 1).ToList();
        var below = chain.Skip(_maxLowers - 1).ToList();
        var flatName = FlattenedPrefix + below[0].Name;
        if (Stat(flatName) is not { } flat)
        {
            var key = "flattening:" + Guid.NewGuid().ToString("N");
            var mounts = Create(key, null, SnapshotKind.Active);
            LayerFlattener.Merge(below.Select(s => s.Directory).Reverse().ToList(), mounts[0].UpperDirectory!);
            flat = Commit(flatName, key);
        }
        return kept.Select(s => s.Directory).Append(flat.Directory).ToList();
    }

    /// <summary>
    /// Removes the name links a killed <see cref="Commit"/> left behind: the active key's link to a snapshot whose info
    /// already says it is committed under another name, whose own link points at it too (what the commit would have
    /// removed next). A commit still before its info write is never touched: its info is not committed yet.
    /// <paramref name="listed"/> is the caller's <see cref="StoredSnapshot.List"/> of this root, so no info is read
    /// twice. Returns how many links were removed.
    /// </summary>
    internal int RemoveInterruptedCommitLinks(IReadOnlyList<StoredSnapshot> listed)
    {
        var committed = listed.Where(s => s.Info is { Kind: SnapshotKind.Committed }).ToDictionary(s => s.Id, s => s.Info!, StringComparer.Ordinal);
        if (committed.Count == 0) return 0;
        lock (_lock)
        {
            var removed = 0;
            foreach (var link in Directory.EnumerateFileSystemEntries(NamesDirectory))
            {
                string? id;
                try { id = File.ResolveLinkTarget(link, returnFinalTarget: false) is { } target ? Path.GetFileName(target.FullName) : null; }
                catch (IOException) { continue; }
                if (id is null || !committed.TryGetValue(id, out var info) || link == NameLink(info.Name) || Resolve(info.Name) != id) continue;
                File.Delete(link);
                removed++;
            }
            return removed;
        }
    }

    private void ClaimName(string name, string id)
    {
        try { File.CreateSymbolicLink(NameLink(name), Path.Combine("..", id)); }
        catch (IOException) when (Resolve(name) is not null) { throw new SnapshotExistsException(name); }
    }

    private string AllocateId()
    {
        // One scan per Snapshotter, then counting on: a store holds thousands of snapshots, a build prepares many.
        var next = _nextId > 0 ? _nextId : Directory.EnumerateDirectories(_root)
            .Select(d => Path.GetFileName(d)!.Replace("removing-", ""))
            .Select(n => int.TryParse(n, out var i) ? i : 0).DefaultIfEmpty(0).Max() + 1;
        // mkdir is the atomic claim: another process may take the same number first.
        while (true)
        {
            var path = Path.Combine(_root, next.ToString());
            if (Native.Posix.LStat(path) is null && MakeDirectory(path))
            {
                _nextId = next + 1;
                return next.ToString();
            }
            next++;
        }
    }

    /// <summary>
    /// overlay leaves its work dir holding one empty <c>work</c> dir (and in it <c>incompat/volatile</c> after a
    /// volatile mount): a few rmdirs take it (root needs no permission on the d--------- inside), where a recursive
    /// delete would list, chmod and stat everything first.
    /// </summary>
    private static unsafe void RemoveWorkDirectory(string work)
    {
        fixed (byte* marker = Native.LibC.Utf8(Path.Combine(work, "work/incompat/volatile")), incompat = Native.LibC.Utf8(Path.Combine(work, "work/incompat")),
               inner = Native.LibC.Utf8(Path.Combine(work, "work")), outer = Native.LibC.Utf8(work))
        {
            Native.LibC.rmdir(marker);
            Native.LibC.rmdir(incompat);
            Native.LibC.rmdir(inner);
            if (Native.LibC.rmdir(outer) == 0 || Native.LibC.Errno == Native.LibC.ENOENT) return;
        }
        DeleteTree(work); // something else in there (an index dir, a crash's leftovers)
    }

    private static unsafe bool MakeDirectory(string path)
    {
        fixed (byte* p = Native.LibC.Utf8(path)) return Native.LibC.mkdir(p, 0x1C0 /* 0700 */) == 0;
    }

    private sealed record Stored(string Id, SnapshotInfo Info);

    private Stored? Load(string key)
    {
        var id = Resolve(key);
        if (id is null) return null;
        if (_committed.TryGetValue(key, out var known) && known.Id == id) return known;
        if (ReadInfo(id) is not { } info) return null;
        var stored = new Stored(id, info);
        if (info.Kind == SnapshotKind.Committed && info.Name == key) _committed[key] = stored;
        return stored;
    }

    private string? Resolve(string key)
    {
        try { return File.ResolveLinkTarget(NameLink(key), returnFinalTarget: false) is { } target ? Path.GetFileName(target.FullName) : null; }
        catch (IOException) { return null; }
    }

    private string NameLink(string key) =>
        Path.Combine(NamesDirectory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))));

    private void WriteInfo(string id, SnapshotInfo info)
    {
        var path = Path.Combine(_root, id, "info");
        File.WriteAllText(path + ".tmp", InfoText(info));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static string InfoText(SnapshotInfo info) => $"kind={info.Kind}\nname={info.Name}\nparent={info.Parent}\n";

    private SnapshotInfo? ReadInfo(string id)
    {
        var path = Path.Combine(_root, id, "info");
        if (!File.Exists(path)) return null;
        var fields = File.ReadAllLines(path).Where(l => l.Contains('='))
            .ToDictionary(l => l[..l.IndexOf('=')], l => l[(l.IndexOf('=') + 1)..]);
        return new SnapshotInfo(fields["name"], fields["parent"] is { Length: > 0 } p ? p : null,
            Enum.Parse<SnapshotKind>(fields["kind"]), Path.Combine(_root, id, "fs"));
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('\n') || name.Contains('\0'))
            throw new ArgumentException($"invalid snapshot name \"{name}\"", nameof(name));
    }

    // Apparent size, as docker reports it; links are counted, never followed.
    private static long SizeOf(string path) =>
        new FileSystemEnumerable<long>(path, (ref FileSystemEntry e) => e.IsDirectory || IsLink(ref e) ? 0 : e.Length, WalkOptions)
        {
            ShouldRecursePredicate = (ref FileSystemEntry e) => !IsLink(ref e),
        }.Sum();

    // .NET's recursive enumeration descends into symlinks to directories on Unix: a snapshot holding "/x -> /tmp" would
    // lead a walk to the host's /tmp (and loops). Every walk of a snapshot recurses only into real directories.
    private static readonly EnumerationOptions WalkOptions = new() { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };

    private static bool IsLink(ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) != 0;

    internal static void DeleteTree(string path)
    {
        if (!Directory.Exists(path)) return;
        // overlay leaves work/work as d---------: root may delete it, but .NET wants to enumerate it first.
        var directories = new FileSystemEnumerable<string>(path, (ref FileSystemEntry e) => e.ToFullPath(), WalkOptions)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => e.IsDirectory && !IsLink(ref e),
            ShouldRecursePredicate = (ref FileSystemEntry e) => !IsLink(ref e),
        };
        foreach (var dir in directories)
            try { File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute); }
            catch (IOException) { }
        Directory.Delete(path, recursive: true);
    }
}
