using Ashlar.Builder.Context;
using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// The contents of a directory a copy made through an overlay mount (see <see cref="CopyPlan.ApplyDeferringAsync"/>),
/// still to be written into the snapshot's upper directory, where that directory now exists and nothing below shows
/// through it. Written after the mount is gone, so overlayfs never sees its layers change under it.
/// </summary>
public sealed class DeferredContents
{
    private readonly CopyItem _item;
    private readonly (uint Uid, uint Gid)? _owner;
    private readonly ModeSpec? _chmod;
    private readonly LinkOrigin? _origin;
    private readonly DateTimeOffset? _clampedAt;
    private readonly Action<long> _reportShared;

    internal DeferredContents(string directory, CopyItem item, (uint Uid, uint Gid)? owner, ModeSpec? chmod, LinkOrigin? origin,
        DateTimeOffset? clampedAt, Action<long> reportShared)
    {
        Directory = directory;
        _item = item;
        _owner = owner;
        _chmod = chmod;
        _origin = origin;
        _clampedAt = clampedAt;
        _reportShared = reportShared;
    }

    /// <summary>The new directory, relative to the root ("usr/src/app").</summary>
    public string Directory { get; }

    /// <summary>Writes the contents into <paramref name="upperDirectory"/>, then the directory's own metadata.</summary>
    public async Task WriteAsync(string upperDirectory, CancellationToken cancellationToken = default)
    {
        using var root = new DestinationRoot(upperDirectory);
        var writer = new CopyWriter(root, _owner, _chmod, _origin, _clampedAt);
        var (parent, name) = ContextPath.Split(Directory);
        var parentFd = root.Open(parent, LibC.O_PATH | LibC.O_DIRECTORY);
        if (parentFd < 0) throw LibC.Failure($"opening \"/{parent}\" in the upper directory");
        try
        {
            var fd = LibC.OpenAt(parentFd, name, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
            if (fd < 0) throw LibC.Failure($"opening \"/{Directory}\" in the upper directory");
            try { await writer.WriteTreeAsync(fd, Directory, _item.Entries.Skip(1), cancellationToken, baseIsNew: true); }
            finally { LibC.Close(fd); }
            writer.ApplyMetadata(parentFd, name, _item.Entries[0], "/" + Directory, isDestination: true);
        }
        finally
        {
            LibC.Close(parentFd);
            _reportShared(writer.Shared);
        }
    }
}
