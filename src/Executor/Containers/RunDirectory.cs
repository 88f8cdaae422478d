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

    private static readonly Lazy<bool> Swept = new(SweepLeftovers);

    /// <summary>A new directory for one container, named after this process so that leftovers can be told apart.</summary>
    public static string Create(string containerId)
    {
        _ = Swept.Value;
        var dir = Path.Combine(Root, $"{Environment.ProcessId}-{containerId}");
        Directory.CreateDirectory(Path.Combine(dir, "rootfs"));
        return dir;
    }

    /// <summary>
    /// Removes what processes that died without cleaning up left (a SIGKILLed Ashlar's containers died with it). A
    /// pid that is alive keeps its directories, even if it is not Ashlar any more: reuse only ever keeps too much.
    /// </summary>
    internal static bool SweepLeftovers()
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories(Root))
            {
                var name = Path.GetFileName(dir);
                var dash = name.IndexOf('-');
                if (dash <= 0 || !int.TryParse(name[..dash], out var pid) || pid == Environment.ProcessId) continue;
                if (LibC.kill(pid, 0) == 0 || LibC.Errno != LibC.ESRCH) continue;
                try { Directory.Delete(dir, recursive: true); }
                catch (IOException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return true;
    }

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
