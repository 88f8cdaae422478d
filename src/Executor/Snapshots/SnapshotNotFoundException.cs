namespace Ashlar.Executor.Snapshots;

/// <summary>A snapshot was asked for by a key or name the snapshotter does not hold.</summary>
public sealed class SnapshotNotFoundException(string key)
    : Exception($"snapshot \"{key}\" does not exist")
{
    /// <summary>The missing key or name.</summary>
    public string Key { get; } = key;
}
