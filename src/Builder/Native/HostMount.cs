using System.Runtime.InteropServices;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Native;

/// <summary>
/// A snapshot mounted on the host for file steps (COPY, WORKDIR), through mount(2) itself; unmounted on dispose.
/// A read-only view of a single layer needs no mount: its directory is the tree.
/// </summary>
internal sealed class HostMount : IDisposable
{
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
        var flags = mount.UpperDirectory is null ? LibC.MS_RDONLY : 0;
        if (LibC.Mount(mount.Source, target, mount.Type, flags, string.Join(',', mount.Options)) != 0)
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
        LibC.Unmount(Path, LibC.MNT_DETACH);
        try { Directory.Delete(Path); }
        catch (IOException) { }
    }

}
