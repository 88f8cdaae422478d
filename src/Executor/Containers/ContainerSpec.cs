using Ashlar.Executor.Snapshots;

namespace Ashlar.Executor.Containers;

/// <summary>What to run in a container and how (one RUN step, or <c>ashlar run</c>).</summary>
public sealed record ContainerSpec
{
    /// <summary>The rootfs: the mounts of an active (writable) or view (read-only) snapshot.</summary>
    public required IReadOnlyList<Mount> Rootfs { get; init; }

    /// <summary>The command and its arguments; the first is looked up in the container's PATH unless it has a slash.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary><c>KEY=VALUE</c> pairs; PATH and HOME get docker's defaults when absent.</summary>
    public IReadOnlyList<string> Env { get; init; } = [];

    /// <summary>The working directory in the container, created when missing.</summary>
    public string WorkingDirectory { get; init; } = "/";

    /// <summary><c>user</c>, <c>uid</c>, <c>user:group</c> or <c>uid:gid</c>, resolved in the image's /etc/passwd and /etc/group; empty is root.</summary>
    public string User { get; init; } = "";

    /// <summary>The container's hostname.</summary>
    public string Hostname { get; init; } = "ashlar";

    /// <summary>Host network or none.</summary>
    public NetworkMode Network { get; init; } = NetworkMode.Host;

    /// <summary>Extra bind and tmpfs mounts (RUN --mount).</summary>
    public IReadOnlyList<ContainerMount> Mounts { get; init; } = [];

    /// <summary>Docker's confinement (capabilities, seccomp, devices) or none.</summary>
    public SecurityMode Security { get; init; } = SecurityMode.Sandbox;

    /// <summary>cgroup limits.</summary>
    public ResourceLimits Limits { get; init; } = ResourceLimits.None;

    /// <summary>The longest the command may run; then every process of the container is killed and <see cref="TimeoutException"/> thrown.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Called with each line the command writes to stdout (without the newline), in order.</summary>
    public Action<string>? StandardOutput { get; init; }

    /// <summary>Called with each line the command writes to stderr (without the newline), in order.</summary>
    public Action<string>? StandardError { get; init; }

    /// <summary>Copied to the command's stdin; null gives it /dev/null.</summary>
    public Stream? StandardInput { get; init; }
}
