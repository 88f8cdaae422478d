using Ashlar.Executor.Native;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Where a container's short-lived host files live (its rootfs mount point, generated /etc files, the stub log):
/// on a tmpfs when the host has one to offer (<c>/run</c>, else <c>/dev/shm</c>), because a step creates and deletes
/// them every time and on a disk filesystem that churn costs inode allocation and journal work on the step's path.
/// </summary>
internal static class RunDirectory
{
    private const string Name = "ashlar-run";

    public static string Root { get; } = Choose();

    private static string Choose()
    {
        foreach (var candidate in new[] { "/run", "/dev/shm" })
        {
            if (!IsTmpfs(candidate)) continue;
            var root = Path.Combine(candidate, Name);
            try
            {
                Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                // Only a directory of our own: anyone may create names in a world-writable /dev/shm.
                if (Posix.LStat(root) is { IsDirectory: true } status && status.Uid == LibC.geteuid()
                    && (status.Permissions & 0x3F) == 0)
                    return root;
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return Path.Combine(Path.GetTempPath(), Name);
    }

    private static bool IsTmpfs(string path)
    {
        try { return new DriveInfo(path).DriveFormat == "tmpfs" && Directory.Exists(path); }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }
}
