namespace Ashlar.Executor.Init;

/// <summary>
/// Everything the init needs to turn itself into the container's process. The parent writes it to a memfd
/// that the init reads as fd 3; a plain length-prefixed binary form keeps the init free of serializers.
/// </summary>
internal sealed class InitSpec
{
    private const int FormatVersion = 2;

    /// <summary>Where the rootfs is mounted before pivot_root (a directory of the parent's choosing).</summary>
    public required string RootfsTarget { get; init; }

    /// <summary>Overlay lower directories, topmost first.</summary>
    public required IReadOnlyList<string> Lowers { get; init; }

    /// <summary>The writable overlay upper directory, or null for a read-only rootfs.</summary>
    public string? Upper { get; init; }
    public string? Work { get; init; }

    public required string Hostname { get; init; }
    /// <summary>True when the container got its own network namespace (bring loopback up).</summary>
    public bool IsolatedNetwork { get; init; }
    public required IReadOnlyList<InitMount> Mounts { get; init; }
    /// <summary>cgroup.procs files the init joins before anything else.</summary>
    public required IReadOnlyList<string> CgroupProcFiles { get; init; }
    public required IReadOnlyList<string> Args { get; init; }
    public required IReadOnlyList<string> Env { get; init; }
    public required string WorkingDirectory { get; init; }
    public required string User { get; init; }
    /// <summary>Give the command /dev/null as stdin (fd 0 is otherwise a pipe from the parent).</summary>
    public bool NullStandardInput { get; init; }
    /// <summary>Mount the overlay with mount(2) and relative paths, as kernels before 6.8 must (tests force it).</summary>
    public bool LegacyOverlayMount { get; init; }
    /// <summary>The bounding set the command runs with (Docker's default set unless insecure).</summary>
    public ulong Capabilities { get; init; } = Init.Capabilities.DockerDefault;
    /// <summary>The seccomp filter (struct sock_filter array) installed just before exec; empty for none.</summary>
    public byte[] SeccompFilter { get; init; } = [];
    /// <summary>A host file the init appends every mount-point stub it had to create to (container paths, one a line).</summary>
    public required string StubLog { get; init; }

    public byte[] Serialize()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(FormatVersion);
            writer.Write(RootfsTarget);
            WriteList(writer, Lowers);
            WriteOptional(writer, Upper);
            WriteOptional(writer, Work);
            writer.Write(Hostname);
            writer.Write(IsolatedNetwork);
            writer.Write(Mounts.Count);
            foreach (var mount in Mounts)
            {
                writer.Write((int)mount.Kind);
                writer.Write(mount.Source);
                writer.Write(mount.Target);
                writer.Write(mount.ReadOnly);
                writer.Write(mount.Options);
            }
            WriteList(writer, CgroupProcFiles);
            WriteList(writer, Args);
            WriteList(writer, Env);
            writer.Write(WorkingDirectory);
            writer.Write(User);
            writer.Write(StubLog);
            writer.Write(NullStandardInput);
            writer.Write(LegacyOverlayMount);
            writer.Write(Capabilities);
            writer.Write(SeccompFilter.Length);
            writer.Write(SeccompFilter);
        }
        return buffer.ToArray();
    }

    public static InitSpec Deserialize(byte[] bytes)
    {
        using var reader = new BinaryReader(new MemoryStream(bytes));
        var version = reader.ReadInt32();
        if (version != FormatVersion)
            throw new InvalidDataException($"init spec version {version} is not {FormatVersion}: the init binary and the library differ");
        var target = reader.ReadString();
        var lowers = ReadList(reader);
        var upper = ReadOptional(reader);
        var work = ReadOptional(reader);
        var hostname = reader.ReadString();
        var isolated = reader.ReadBoolean();
        var mounts = new InitMount[reader.ReadInt32()];
        for (var i = 0; i < mounts.Length; i++)
            mounts[i] = new InitMount((InitMountKind)reader.ReadInt32(), reader.ReadString(), reader.ReadString(), reader.ReadBoolean(), reader.ReadString());
        return new InitSpec
        {
            RootfsTarget = target, Lowers = lowers, Upper = upper, Work = work, Hostname = hostname,
            IsolatedNetwork = isolated, Mounts = mounts, CgroupProcFiles = ReadList(reader), Args = ReadList(reader),
            Env = ReadList(reader), WorkingDirectory = reader.ReadString(), User = reader.ReadString(), StubLog = reader.ReadString(),
            NullStandardInput = reader.ReadBoolean(), LegacyOverlayMount = reader.ReadBoolean(), Capabilities = reader.ReadUInt64(),
            SeccompFilter = reader.ReadBytes(reader.ReadInt32()),
        };
    }

    private static void WriteList(BinaryWriter writer, IReadOnlyList<string> list)
    {
        writer.Write(list.Count);
        foreach (var item in list) writer.Write(item);
    }

    private static string[] ReadList(BinaryReader reader)
    {
        var list = new string[reader.ReadInt32()];
        for (var i = 0; i < list.Length; i++) list[i] = reader.ReadString();
        return list;
    }

    private static void WriteOptional(BinaryWriter writer, string? value)
    {
        writer.Write(value is not null);
        if (value is not null) writer.Write(value);
    }

    private static string? ReadOptional(BinaryReader reader) => reader.ReadBoolean() ? reader.ReadString() : null;
}
