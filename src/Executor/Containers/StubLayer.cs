using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ashlar.Executor.Native;

namespace Ashlar.Executor.Containers;

/// <summary>
/// The mount points every container needs (the generated <c>/etc</c> files, <c>/proc</c>, <c>/dev</c>, <c>/sys</c>)
/// that an image lacks, as one shared lower layer placed above the image's instead of stubs the init makes in each
/// step's upper dir. Those stubs cost a copy-up of <c>/etc</c>, three new files on the store's filesystem and their
/// removal at every step (each new inode is slow on an ext4 that recently freed many); the layer is made once per
/// shape. Its <c>/etc</c> carries the image's own mode, owner and mtime (not its xattrs), so a step that writes into
/// <c>/etc</c> copies up the same <c>/etc</c> as before. Paths behind a symlink keep the init's stubs.
/// </summary>
internal static class StubLayer
{
    private static readonly string[] Directories = ["/proc", "/dev", "/sys"];

    // Whether a path exists in a chain of committed (immutable) lowers, by the chain's lowers below and including it.
    private static readonly ConcurrentDictionary<string, Presence> Known = new(StringComparer.Ordinal);

    private enum Presence { Missing, Directory, Other }

    /// <summary>
    /// The stub layer for a rootfs of <paramref name="lowers"/> (topmost first) whose upper dir is
    /// <paramref name="upper"/>, or null when the image lacks none of them. It lives in <c>stubs/</c> beside the
    /// snapshot directories, on the upper dir's filesystem: lowers on another filesystem would change the inode
    /// numbers and devices the step's files report.
    /// </summary>
    public static string? For(IReadOnlyList<string> lowers, string upper, IReadOnlyList<string> files)
    {
        var missing = new List<(string Path, bool IsDirectory)>();
        foreach (var path in Directories)
            if (Find(lowers, 0, path) == Presence.Missing) missing.Add((path, true));
        var etc = Find(lowers, 0, "/etc");
        if (etc != Presence.Other)
            foreach (var file in files)
                if (Path.GetDirectoryName(file) == "/etc" && Find(lowers, 0, file) == Presence.Missing)
                    missing.Add((file, false));
        if (missing.Count == 0 || Path.GetDirectoryName(Path.GetDirectoryName(upper)) is not { } snapshots) return null;
        try
        {
            return Make(Path.Combine(snapshots, "stubs"), missing, etc == Presence.Directory ? Top(lowers, "/etc") : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the init makes its stubs in the upper dir instead
        }
    }

    /// <summary>What <paramref name="path"/> is in the merged view of lowers[index..], as overlayfs merges them.</summary>
    private static Presence Find(IReadOnlyList<string> lowers, int index, string path)
    {
        if (index >= lowers.Count) return Presence.Missing;
        // A committed snapshot's directory stands for its whole chain below. Were an id reused after a removal, a stale
        // answer only costs an unneeded stub (mounted over anyway) or a missing one (the init then makes it itself).
        var key = $"{path}\n{lowers[index]}\n{lowers.Count - index}";
        if (Known.TryGetValue(key, out var known)) return known;
        var result = FindInLayer(lowers[index], path) switch
        {
            LayerAnswer.Directory => Presence.Directory,
            LayerAnswer.Other => Presence.Other,
            LayerAnswer.Hidden => Presence.Missing,
            _ => Find(lowers, index + 1, path),
        };
        Known[key] = result;
        return result;
    }

    private enum LayerAnswer { NotHere, Directory, Other, Hidden }

    private static LayerAnswer FindInLayer(string layer, string path)
    {
        var current = layer;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            current += "/" + parts[i];
            if (Posix.LStat(current) is not { } status) return LayerAnswer.NotHere;
            if (status.IsOverlayWhiteout) return LayerAnswer.Hidden;
            var last = i == parts.Length - 1;
            if (last) return status.IsDirectory ? LayerAnswer.Directory : LayerAnswer.Other;
            // A parent that is not a directory hides the path below it; an opaque one hides every layer under it.
            if (!status.IsDirectory) return status.IsSymlink ? LayerAnswer.Other : LayerAnswer.Hidden;
            if (Posix.GetXattr(current, "trusted.overlay.opaque") is [(byte)'y', ..])
                return Posix.LStat(layer + path) is { } found ? (found.IsDirectory ? LayerAnswer.Directory : LayerAnswer.Other) : LayerAnswer.Hidden;
        }
        return LayerAnswer.NotHere;
    }

    /// <summary>The topmost lower's status of a directory present in the merged view.</summary>
    private static FileStatus? Top(IReadOnlyList<string> lowers, string path)
    {
        foreach (var lower in lowers)
            if (Posix.LStat(lower + path) is { } status)
                return status.IsDirectory ? status : null;
        return null;
    }

    private static string Make(string root, List<(string Path, bool IsDirectory)> missing, FileStatus? etcStatus)
    {
        var etc = etcStatus is { } s ? $"{s.Mode}:{s.Uid}:{s.Gid}:{s.ModifiedSeconds}.{s.ModifiedNanoseconds}" : "new";
        var shape = string.Join('\n', missing.Select(m => $"{m.Path}:{m.IsDirectory}")) + "\n/etc=" + etc;
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(shape)))[..32];
        var dir = Path.Combine(root, name);
        // Made by an earlier step or process: the same shape, the same content. (Looked up each time: a store can be
        // wiped under a long-lived process.)
        if (Directory.Exists(dir)) return dir;
        var building = Path.Combine(root, "new-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(building);
        File.SetUnixFileMode(building, (UnixFileMode)0x1ED /* 0755 */);
        foreach (var (path, isDirectory) in missing)
        {
            var target = building + path;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (isDirectory) Directory.CreateDirectory(target);
            else File.WriteAllBytes(target, []);
        }
        if (etcStatus is { } status && Directory.Exists(building + "/etc"))
            CopyAttributes(building + "/etc", status);
        try { Directory.Move(building, dir); }
        catch (IOException) { Snapshots.Snapshotter.DeleteTree(building); } // made by another step meanwhile
        return dir;
    }

    private static unsafe void CopyAttributes(string path, FileStatus status)
    {
        fixed (byte* p = LibC.Utf8(path))
        {
            LibC.lchown(p, status.Uid, status.Gid);
            LibC.chmod(p, status.Permissions);
        }
        File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddSeconds(status.ModifiedSeconds).AddTicks(status.ModifiedNanoseconds / 100));
    }
}
