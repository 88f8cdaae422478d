namespace Ashlar.Executor.Tests.Support;

/// <summary>Looks at the host from outside the containers: its processes and its mounts.</summary>
internal static class HostProbe
{
    /// <summary>Pids of host processes whose command line contains <paramref name="marker"/>.</summary>
    public static List<int> ProcessesWith(string marker)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var cmdline = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (cmdline.Contains(marker)) found.Add(pid);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }

    /// <summary>Lines of this process's mount table that mention <paramref name="path"/>.</summary>
    public static List<string> MountsMentioning(string path) =>
        File.ReadAllLines("/proc/self/mountinfo").Where(l => l.Contains(path)).ToList();
}
