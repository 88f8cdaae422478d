namespace Ashlar.Executor.Snapshots;

/// <summary>
/// A snapshot directory as found on disk (<c>&lt;root&gt;/&lt;id&gt;</c>), read without trusting it: what garbage
/// collection and <c>ashlar check</c> walk. <see cref="Info"/> is null when the <c>info</c> file is missing or damaged.
/// </summary>
internal sealed record StoredSnapshot(string Id, string Path, SnapshotInfo? Info, string? Damage)
{
    /// <summary>When the snapshot was created or committed (its info file's mtime).</summary>
    public DateTime ChangedUtc => File.GetLastWriteTimeUtc(System.IO.Path.Combine(Path, "info"));

    /// <summary>Every numeric snapshot directory under <paramref name="root"/>.</summary>
    public static List<StoredSnapshot> List(string root)
    {
        var found = new List<StoredSnapshot>();
        if (!Directory.Exists(root)) return found;
        foreach (var dir in Directory.EnumerateDirectories(root))
        {
            var id = System.IO.Path.GetFileName(dir);
            if (!int.TryParse(id, out _)) continue;
            var (info, damage) = Read(dir);
            found.Add(new StoredSnapshot(id, dir, info, damage));
        }
        return found;
    }

    private static (SnapshotInfo? Info, string? Damage) Read(string dir)
    {
        var path = System.IO.Path.Combine(dir, "info");
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (FileNotFoundException) { return (null, "no info file"); }
        catch (IOException e) { return (null, $"info unreadable: {e.Message}"); }
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var eq = line.IndexOf('=');
            if (eq < 0) return (null, $"info line \"{line}\" is not key=value");
            fields[line[..eq]] = line[(eq + 1)..];
        }
        if (!fields.TryGetValue("name", out var name) || name.Length == 0) return (null, "info has no name");
        if (!fields.TryGetValue("kind", out var kindText) || !Enum.TryParse<SnapshotKind>(kindText, out var kind) || !Enum.IsDefined(kind))
            return (null, $"info has no valid kind (\"{fields.GetValueOrDefault("kind")}\")");
        var parent = fields.GetValueOrDefault("parent") is { Length: > 0 } p ? p : null;
        return (new SnapshotInfo(name, parent, kind, System.IO.Path.Combine(dir, "fs")), null);
    }
}
