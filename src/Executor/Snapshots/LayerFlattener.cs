using Ashlar.Executor.Native;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// Merges a chain of overlay-form layers into one directory, applying whiteouts and opaque dirs, for chains
/// deeper than overlayfs allows. Regular files are hard-linked from the (immutable) committed layers.
/// </summary>
internal static class LayerFlattener
{
    public static void Merge(IReadOnlyList<string> layersBottomFirst, string target)
    {
        foreach (var layer in layersBottomFirst)
            Apply(layer, target);
    }

    private static void Apply(string source, string target)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(source).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            var destination = Path.Combine(target, name);
            var status = Posix.LStat(entry)!.Value;
            if (status.IsOverlayWhiteout)
            {
                Delete(destination);
                continue;
            }
            if (status.IsDirectory)
            {
                var existing = Posix.LStat(destination);
                if (existing is { IsDirectory: false }) Delete(destination);
                var opaque = Posix.GetXattr(entry, "trusted.overlay.opaque") is [(byte)'y', ..];
                if (opaque && existing is { IsDirectory: true })
                {
                    Delete(destination);
                    existing = null;
                }
                if (existing is not { IsDirectory: true }) Directory.CreateDirectory(destination);
                CopyMetadata(entry, destination, status);
                Apply(entry, destination);
                continue;
            }
            Delete(destination);
            if (status.IsRegularFile) Posix.Link(entry, destination);
            else if (status.IsSymlink) File.CreateSymbolicLink(destination, Posix.ReadLink(entry)!);
            else
            {
                Posix.MakeNode(destination, status.Mode, LibC.MakeDevice(status.RDeviceMajor, status.RDeviceMinor));
                CopyMetadata(entry, destination, status);
            }
        }
    }

    private static void CopyMetadata(string from, string to, FileStatus status)
    {
        File.SetUnixFileMode(to, (UnixFileMode)status.Permissions);
        Lchown(to, status.Uid, status.Gid);
        foreach (var name in Posix.ListXattrs(from))
            if (!name.StartsWith("trusted.overlay.", StringComparison.Ordinal) && Posix.GetXattr(from, name) is { } value)
                Posix.SetXattr(to, name, value);
    }

    private static unsafe void Lchown(string path, uint uid, uint gid)
    {
        fixed (byte* p = LibC.Utf8(path)) LibC.lchown(p, uid, gid);
    }

    private static void Delete(string path)
    {
        var status = Posix.LStat(path);
        if (status is null) return;
        if (status.Value.IsDirectory) Snapshotter.DeleteTree(path);
        else File.Delete(path);
    }
}
