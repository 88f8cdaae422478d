using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// Where a copy may take a regular file by hard link instead of writing it: a committed snapshot's layer directory,
/// whose files never change once committed (a RUN on top changes them through overlayfs copy-up, a later step's
/// mounts are read-only views or throwaway snapshots). Never the build context or any other host path a user owns.
/// An origin only says where the file it would share is; <see cref="CopyWriter"/> checks that its metadata is exactly
/// what the copy would give it before linking, and copies when anything differs or the link fails.
/// </summary>
internal abstract class LinkOrigin
{
    /// <summary>
    /// The committed file the copy of <paramref name="entry"/> to <paramref name="destinationPath"/> (relative to the
    /// copy's root) could share, or null when there is none.
    /// </summary>
    public abstract ValueTask<LinkCandidate?> LocateAsync(SourceEntry entry, string destinationPath, CancellationToken cancellationToken);
}

/// <summary>A file a copy may hard-link.</summary>
/// <param name="Path">Its absolute path in a committed snapshot's layer directory.</param>
/// <param name="Layer">
/// Which layer of the source holds it (0 is the topmost). Files of different layers that are one inode (both linked from
/// an earlier snapshot) are distinct files in the image: only files of one layer can be hard links of each other.
/// </param>
/// <param name="Status">What statx said of it when the origin looked it up, so the copy need not ask again; null if unknown.</param>
internal readonly record struct LinkCandidate(string Path, int Layer, LibC.Statx? Status = null);
