namespace Ashlar.Executor.Cgroups;

/// <summary>A device a container may read, write and create: a char (<c>c</c>) or block (<c>b</c>) device; a null minor is any.</summary>
internal readonly record struct DeviceRule(char Type, uint Major, uint? Minor)
{
    /// <summary>
    /// Docker's defaults (moby oci/defaults.go): null, zero, full, random, urandom, tty, ptmx, the pts and tun.
    /// Creating any device node (mknod, CAP_MKNOD is a default capability) stays allowed; using one not listed is not.
    /// </summary>
    public static readonly DeviceRule[] DockerDefault =
    [
        new('c', 1, 3), new('c', 1, 5), new('c', 1, 7), new('c', 1, 8), new('c', 1, 9), new('c', 5, 0), new('c', 5, 2),
        new('c', 136, null), new('c', 10, 200),
    ];

    /// <summary>The rule as cgroup v1's devices.allow takes it.</summary>
    public override string ToString() => $"{Type} {Major}:{(Minor is { } minor ? minor.ToString() : "*")} rwm";
}
