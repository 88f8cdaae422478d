namespace Ashlar.Images.Layers;

/// <summary>The metadata of one entry a <see cref="LayerTarWriter"/> writes.</summary>
/// <param name="Mode">Permission bits including setuid/setgid/sticky (the type comes from the method called).</param>
/// <param name="Uid">Owner.</param>
/// <param name="Gid">Group.</param>
/// <param name="ModificationTime">mtime; whole seconds keep the header plain ustar.</param>
/// <param name="Xattrs">Extended attributes, written as PAX <c>SCHILY.xattr.*</c> records.</param>
public sealed record LayerEntryMetadata(UnixFileMode Mode, int Uid = 0, int Gid = 0, DateTimeOffset ModificationTime = default, IReadOnlyDictionary<string, byte[]>? Xattrs = null)
{
    /// <summary>0755 root:root at the Unix epoch.</summary>
    public static LayerEntryMetadata DefaultDirectory { get; } = new((UnixFileMode)0x1ed, ModificationTime: DateTimeOffset.UnixEpoch);

    /// <summary>0644 root:root at the Unix epoch.</summary>
    public static LayerEntryMetadata DefaultFile { get; } = new((UnixFileMode)0x1a4, ModificationTime: DateTimeOffset.UnixEpoch);
}
