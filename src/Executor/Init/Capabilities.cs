namespace Ashlar.Executor.Init;

/// <summary>Linux capability sets.</summary>
internal static class Capabilities
{
    /// <summary>
    /// Docker's default set (moby oci/caps/defaults.go): CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW,
    /// SETGID, SETUID, SETFCAP, SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE.
    /// </summary>
    public const ulong DockerDefault = 0x00000000a80425fb;
}
