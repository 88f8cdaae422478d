namespace Ashlar.Executor.Snapshots;

/// <summary>A snapshot key or name is already taken.</summary>
public sealed class SnapshotExistsException(string key)
    : Exception($"snapshot \"{key}\" already exists")
{
    /// <summary>The key or name in use.</summary>
    public string Key { get; } = key;
}
