namespace Ashlar.Executor.Containers;

/// <summary>An extra mount in the container, as <c>RUN --mount</c> makes them.</summary>
public sealed record ContainerMount
{
    private ContainerMount(ContainerMountKind kind, string source, string target, bool readOnly, long? sizeBytes)
        => (Kind, Source, Target, ReadOnly, SizeBytes) = (kind, source, target, readOnly, sizeBytes);

    /// <summary>Bind or tmpfs.</summary>
    public ContainerMountKind Kind { get; }
    /// <summary>The host path of a bind mount (empty for tmpfs).</summary>
    public string Source { get; }
    /// <summary>The absolute path in the container.</summary>
    public string Target { get; }
    /// <summary>Whether the container may not write to it.</summary>
    public bool ReadOnly { get; }
    /// <summary>A tmpfs size limit, or null for the kernel's default.</summary>
    public long? SizeBytes { get; }

    /// <summary>Binds a host file or directory at <paramref name="target"/>.</summary>
    public static ContainerMount Bind(string source, string target, bool readOnly = false) =>
        new(ContainerMountKind.Bind, Path.GetFullPath(source), RequireAbsolute(target), readOnly, null);

    /// <summary>A fresh tmpfs at <paramref name="target"/>.</summary>
    public static ContainerMount Tmpfs(string target, long? sizeBytes = null) =>
        new(ContainerMountKind.Tmpfs, "", RequireAbsolute(target), false, sizeBytes);

    private static string RequireAbsolute(string target) =>
        target.StartsWith('/') ? target : throw new ArgumentException($"mount target \"{target}\" must be an absolute path in the container", nameof(target));
}
