using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// <c>COPY --from</c> a stage or image: the source tree is a view of a committed snapshot chain, and each file it shows
/// lives in the topmost of the chain's layer directories that has an entry at its path (a whiteout or an opaque
/// directory above would have hidden it). The inode number confirms it: on one filesystem overlayfs shows a file's
/// real inode number.
/// </summary>
/// <param name="layerDirectories">The chain's layer directories, topmost first.</param>
internal sealed class SnapshotLinkOrigin(IReadOnlyList<string> layerDirectories) : LinkOrigin
{
    public override ValueTask<LinkCandidate?> LocateAsync(SourceEntry entry, string destinationPath, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Locate(entry));

    private LinkCandidate? Locate(SourceEntry entry)
    {
        if (entry.SourcePath is not { Length: > 0 } relative) return null;
        for (var layer = 0; layer < layerDirectories.Count; layer++)
        {
            var path = layerDirectories[layer] + "/" + relative;
            if (LibC.StatxAt(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
            {
                if (LibC.LastError is LibC.ENOENT or LibC.ENOTDIR) continue;
                return null;
            }
            return (st.Mode & LibC.S_IFMT) == LibC.S_IFREG && st.Inode == entry.Inode ? new LinkCandidate(path, layer, st) : null;
        }
        return null;
    }
}
