namespace Ashlar.Executor.Init;

/// <summary>What kind of mount an <see cref="InitMount"/> is.</summary>
internal enum InitMountKind { Bind = 1, Tmpfs = 2 }
