namespace Ashlar.Executor.Cgroups;

/// <summary>What a container's cgroup accounted.</summary>
internal readonly record struct CgroupUsage(TimeSpan CpuTime, long PeakMemoryBytes, bool OomKilled);
