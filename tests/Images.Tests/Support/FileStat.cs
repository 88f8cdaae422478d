using Ashlar.Images.Native;

namespace Ashlar.Images.Tests.Support;

internal static class FileStat
{
    public static LibC.Statx Of(string path)
    {
        if (LibC.StatxAt(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) != 0)
            throw LibC.Failure($"stat {path}");
        return stat;
    }

    public static uint Type(string path) => Of(path).Mode & LibC.S_IFMT;

    public static bool Exists(string path) => LibC.StatxAt(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out _) == 0;

    /// <summary>Every path under a directory (relative), for asserting that nothing appeared somewhere.</summary>
    public static SortedSet<string> Tree(string root) =>
        new(Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(p => Path.GetRelativePath(root, p)), StringComparer.Ordinal);
}
