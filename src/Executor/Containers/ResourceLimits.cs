namespace Ashlar.Executor.Containers;

/// <summary>cgroup limits for one container, named as <c>docker build</c> names its flags.</summary>
public sealed record ResourceLimits
{
    /// <summary><c>--memory</c>: the memory limit in bytes.</summary>
    public long? MemoryBytes { get; init; }
    /// <summary><c>--memory-swap</c>: memory plus swap in bytes (-1 for unlimited swap).</summary>
    public long? MemorySwapBytes { get; init; }
    /// <summary><c>--cpu-shares</c>: relative CPU weight (docker's default is 1024).</summary>
    public long? CpuShares { get; init; }
    /// <summary><c>--cpuset-cpus</c>: the CPUs the container may use, e.g. <c>0-1</c> or <c>0,2</c>.</summary>
    public string? CpusetCpus { get; init; }
    /// <summary><c>--pids-limit</c>: the most processes at once.</summary>
    public long? PidsLimit { get; init; }

    /// <summary>No limits.</summary>
    public static ResourceLimits None { get; } = new();
}
