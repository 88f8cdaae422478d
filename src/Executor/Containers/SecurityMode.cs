namespace Ashlar.Executor.Containers;

/// <summary>How much a container is confined, as <c>RUN --security</c> names it.</summary>
public enum SecurityMode
{
    /// <summary>Docker's defaults: its capability set, its seccomp profile and its device rules.</summary>
    Sandbox,

    /// <summary>Every capability, no seccomp filter, every device (<c>--security=insecure</c>; the caller must have allowed it).</summary>
    Insecure,
}
