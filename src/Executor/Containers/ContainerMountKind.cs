namespace Ashlar.Executor.Containers;

/// <summary>What kind of mount a <see cref="ContainerMount"/> is.</summary>
public enum ContainerMountKind
{
    /// <summary>A host path bound into the container.</summary>
    Bind,
    /// <summary>An empty in-memory file system.</summary>
    Tmpfs,
}
