using Ashlar.Executor.Native;

namespace Ashlar.Executor.Containers;

/// <summary>
/// Takes the mount points the init had to create (/etc/hosts in an image without one, /proc in a scratch
/// image, a RUN --mount target) back out of the upper dir, so they never reach the step's layer.
/// </summary>
internal static class MountStubs
{
    public static void Remove(string upper, IReadOnlyList<string> lowers, IEnumerable<string> stubs)
    {
        var parents = new HashSet<string>(StringComparer.Ordinal);
        // Deepest first: a stub directory is only empty once the stubs inside it are gone.
        foreach (var stub in stubs.Distinct().OrderByDescending(s => s.Length))
        {
            var path = upper + stub;
            var status = Posix.LStat(path);
            if (status is null) continue;
            if (status.Value.IsDirectory ? IsEmptyPlainDirectory(path) : status.Value is { IsRegularFile: true, Size: 0 })
                Delete(path, status.Value.IsDirectory);
            parents.Add(Path.GetDirectoryName(stub)!);
        }
        // A lower directory that got a stub was copied up only for it: drop the copy when it is otherwise untouched.
        foreach (var parent in parents.OrderByDescending(p => p.Length))
        {
            if (parent is "/" or "") continue;
            var path = upper + parent;
            if (Posix.LStat(path) is not { IsDirectory: true } copy || !IsEmptyPlainDirectory(path)) continue;
            var original = lowers.Select(l => Posix.LStat(l + parent)).FirstOrDefault(s => s is not null);
            if (original is { IsDirectory: true } o && o.Mode == copy.Mode && o.Uid == copy.Uid && o.Gid == copy.Gid)
                Delete(path, directory: true);
        }
    }

    private static bool IsEmptyPlainDirectory(string path) =>
        !Directory.EnumerateFileSystemEntries(path).Any() && Posix.GetXattr(path, "trusted.overlay.opaque") is null;

    private static void Delete(string path, bool directory)
    {
        try
        {
            if (directory) Directory.Delete(path);
            else File.Delete(path);
        }
        catch (IOException) { } // something the command made there after all: keep it
    }
}
