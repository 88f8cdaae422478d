namespace Ashlar.Executor.Snapshots;

/// <summary>The state of a snapshot, as in containerd.</summary>
public enum SnapshotKind
{
    /// <summary>Writable, with an upper directory; becomes committed by <see cref="Snapshotter.Commit"/>.</summary>
    Active,
    /// <summary>A read-only mount of a committed chain.</summary>
    View,
    /// <summary>Read-only and immutable; the parent of other snapshots.</summary>
    Committed,
}
