namespace Ashlar.Executor.Diff;

/// <summary>One tar entry's metadata; <see cref="Type"/> is the ustar typeflag ('0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo).</summary>
internal sealed record TarEntryHeader(
    string Name, char Type, uint Mode, long Uid, long Gid, long Size, long ModifiedSeconds,
    string? LinkName = null, uint DeviceMajor = 0, uint DeviceMinor = 0)
{
    public IReadOnlyList<KeyValuePair<string, byte[]>> Xattrs { get; init; } = [];
}
