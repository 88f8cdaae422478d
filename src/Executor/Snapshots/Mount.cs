namespace Ashlar.Executor.Snapshots;

/// <summary>
/// How to mount a snapshot, in containerd's shape: <c>overlay</c> with <c>lowerdir=top:...:bottom</c>,
/// <c>upperdir=</c> and <c>workdir=</c> options, or <c>bind</c> of one directory (with <c>ro</c> for a view).
/// </summary>
public sealed record Mount(string Type, string Source, IReadOnlyList<string> Options)
{
    /// <summary>The overlay lower directories, topmost first (or the bind source).</summary>
    public IReadOnlyList<string> LowerDirectories =>
        Type == "bind" ? [Source] : Option("lowerdir")?.Split(':') ?? [];

    /// <summary>The writable directory of an active overlay snapshot, or null for a read-only one.</summary>
    public string? UpperDirectory => Option("upperdir");

    /// <summary>overlayfs's work directory paired with <see cref="UpperDirectory"/>.</summary>
    public string? WorkDirectory => Option("workdir");

    /// <summary>Whether the mount is read-only.</summary>
    public bool IsReadOnly => Type == "bind" ? Options.Contains("ro") : UpperDirectory is null;

    private string? Option(string key) =>
        Options.FirstOrDefault(o => o.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];
}
