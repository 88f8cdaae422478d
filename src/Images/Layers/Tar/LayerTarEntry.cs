using System.Formats.Tar;

namespace Ashlar.Images.Layers.Tar;

/// <summary>
/// One entry of a layer tar as <see cref="LayerTarReader"/> reads it: the header with every pax record applied, and
/// its data, readable until the next entry is read.
/// </summary>
internal sealed class LayerTarEntry
{
    public required string Name { get; init; }
    public required TarEntryType EntryType { get; init; }
    public string LinkName { get; init; } = "";
    public UnixFileMode Mode { get; init; }
    public int Uid { get; init; }
    public int Gid { get; init; }
    public DateTimeOffset ModificationTime { get; init; }
    public int DeviceMajor { get; init; }
    public int DeviceMinor { get; init; }
    public long Length { get; init; }

    /// <summary>Extended attributes (SCHILY.xattr or LIBARCHIVE.xattr records), values byte for byte; null when none.</summary>
    public IReadOnlyDictionary<string, byte[]>? Xattrs { get; init; }

    /// <summary>The entry's data (<see cref="Length"/> bytes).</summary>
    public required Stream DataStream { get; init; }
}
