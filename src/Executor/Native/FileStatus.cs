namespace Ashlar.Executor.Native;

/// <summary>The parts of statx(2) the executor uses.</summary>
internal readonly record struct FileStatus(
    uint Mode, uint Uid, uint Gid, ulong Inode, uint LinkCount, long Size,
    long ModifiedSeconds, uint ModifiedNanoseconds, uint DeviceMajor, uint DeviceMinor,
    uint RDeviceMajor, uint RDeviceMinor)
{
    public uint Type => Mode & LibC.S_IFMT;
    public uint Permissions => Mode & 0xFFF;
    public bool IsDirectory => Type == LibC.S_IFDIR;
    public bool IsRegularFile => Type == LibC.S_IFREG;
    public bool IsSymlink => Type == LibC.S_IFLNK;

    /// <summary>overlayfs marks a deleted lower entry with a 0/0 character device in the upper dir.</summary>
    public bool IsOverlayWhiteout => Type == LibC.S_IFCHR && RDeviceMajor == 0 && RDeviceMinor == 0;

    public static unsafe FileStatus FromStatx(byte* b) => new(
        Mode: *(ushort*)(b + 28), Uid: *(uint*)(b + 20), Gid: *(uint*)(b + 24), Inode: *(ulong*)(b + 32),
        LinkCount: *(uint*)(b + 16), Size: *(long*)(b + 40),
        ModifiedSeconds: *(long*)(b + 112), ModifiedNanoseconds: *(uint*)(b + 120),
        DeviceMajor: *(uint*)(b + 136), DeviceMinor: *(uint*)(b + 140),
        RDeviceMajor: *(uint*)(b + 128), RDeviceMinor: *(uint*)(b + 132));
}
