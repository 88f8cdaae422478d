using System.Text;
using Ashlar.Executor.Native;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// Marks a directory as the top of a hierarchy (ext4's <c>FS_TOPDIR_FL</c>, <c>chattr +T</c>), so ext2/3/4 place each
/// new subdirectory in a block group of its own choosing (the Orlov allocator) rather than next to its parent.
/// A snapshot directory then rarely lands in the group whose inodes were just freed by removing an older one: on
/// ext4 without a journal, allocating an inode skips each inode freed in the last 60 s one by one
/// (<c>recently_deleted()</c>), which made creating a file 10-30 times slower right after a prune or a cleanup.
/// Other filesystems ignore the flag or refuse the call; either way nothing changes.
/// </summary>
internal static unsafe class BlockGroupSpreading
{
    private const ulong FsIocGetFlags = 0x80086601, FsIocSetFlags = 0x40086602; // _IOR/_IOW('f', 1|2, long)
    private const int FsTopDirFlag = 0x00020000;
    private const int ReadOnly = 0, Directory = 0x10000, CloseOnExec = 0x80000, NonBlocking = 0x800;

    /// <summary>Sets the flag on <paramref name="directory"/> if it is not set yet (best effort).</summary>
    public static void MarkTopDirectory(string directory)
    {
        var path = Encoding.UTF8.GetBytes(directory + "\0");
        int fd;
        fixed (byte* p = path) fd = LibC.open(p, ReadOnly | Directory | CloseOnExec | NonBlocking, 0);
        if (fd < 0) return;
        try
        {
            int flags = 0;
            if (LibC.ioctl(fd, FsIocGetFlags, &flags) != 0 || (flags & FsTopDirFlag) != 0) return;
            flags |= FsTopDirFlag;
            LibC.ioctl(fd, FsIocSetFlags, &flags);
        }
        finally
        {
            LibC.close(fd);
        }
    }
}
