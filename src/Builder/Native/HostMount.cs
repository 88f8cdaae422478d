using System.Runtime.InteropServices;
using Ashlar.Executor.Snapshots;

namespace Ashlar.Builder.Native;

/// <summary>
/// A snapshot mounted on the host for file steps (COPY, WORKDIR), through mount(2) itself; unmounted on dispose.
/// A read-only view of a single layer needs no mount: its directory is the tree.
/// </summary>
internal sealed partial class HostMount : IDisposable
{
    private const int MNT_DETACH = 2;
    private const ulong MS_RDONLY = 1;
    private readonly bool _mounted;

    private HostMount(string path, bool mounted)
    {
        Path = path;
        _mounted = mounted;
    }

    /// <summary>The merged tree.</summary>
    public string Path { get; }

    public static HostMount Open(IReadOnlyList<Mount> mounts, string scratchDirectory)
    {
        var mount = mounts[0];
        if (mount.Type == "bind")
            return new HostMount(mount.Source, mounted: false);
        var target = System.IO.Path.Combine(scratchDirectory, "mnt-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(target);
        var flags = mount.UpperDirectory is null ? MS_RDONLY : 0;
        if (mount_(mount.Source, target, mount.Type, flags, string.Join(',', mount.Options)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Directory.Delete(target);
            throw new IOException($"mounting the {mount.Type} snapshot at {target} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        return new HostMount(target, mounted: true);
    }

    public void Dispose()
    {
        if (!_mounted) return;
        umount2(Path, MNT_DETACH);
        try { Directory.Delete(Path); }
        catch (IOException) { }
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount_(string source, string target, string fileSystemType, ulong flags, string data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);
}
