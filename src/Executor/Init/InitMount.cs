namespace Ashlar.Executor.Init;

/// <summary>A mount the init makes inside the rootfs; Target is a path in the container.</summary>
internal sealed record InitMount(InitMountKind Kind, string Source, string Target, bool ReadOnly, string Options);
