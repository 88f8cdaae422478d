namespace Ashlar.Executor.Snapshots;

/// <summary>A snapshot's name (its key while active), parent, kind and where its files live.</summary>
/// <param name="Name">The key of an active or view snapshot, or the name given at commit (e.g. a chain ID).</param>
/// <param name="Parent">The committed snapshot below it, or null for a base layer.</param>
/// <param name="Kind">Active, view or committed.</param>
/// <param name="Directory">The snapshot's own files (its layer, in overlay's upper-dir form).</param>
public sealed record SnapshotInfo(string Name, string? Parent, SnapshotKind Kind, string Directory);
