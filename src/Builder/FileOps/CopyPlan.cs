using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ashlar.Builder.Context;
using Ashlar.Images.Native;
using Ashlar.Images.Content;
using Ashlar.Images.Layers;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// A COPY/ADD with its sources selected: the ordered <see cref="Entries"/> it will write (what the cache keys on,
/// see <see cref="ComputeSourceDigestAsync"/>), applied with <see cref="ApplyAsync"/> to a stage's rootfs or, for
/// <c>--link</c>, with <see cref="ApplyToLayerAsync"/> to an empty directory. Disposing deletes downloads and clones.
/// </summary>
public sealed class CopyPlan : IAsyncDisposable
{
    private readonly List<CopyItem> _items;
    private readonly OwnerSpec? _chown;
    private readonly ModeSpec? _chmod;
    private readonly Func<string?> _scratch;

    internal CopyPlan(CopySpec spec, List<CopyItem> items, OwnerSpec? chown, ModeSpec? chmod, Func<string?> scratch)
    {
        Spec = spec;
        _items = items;
        _chown = chown;
        _chmod = chmod;
        _scratch = scratch;
    }

    /// <summary>The instruction this plan carries out.</summary>
    public CopySpec Spec { get; }

    /// <summary>
    /// Every entry the copy writes, in order, each with its target path relative to its destination directory (an
    /// archive to extract is one file entry). Heredocs and downloads are entries with no <see cref="SourceEntry.SourcePath"/>.
    /// </summary>
    public IReadOnlyList<SourceEntry> Entries => _items.SelectMany(i => i.Entries).ToList();

    /// <summary>
    /// Committed files the copy may hard-link instead of writing (see <see cref="FileOps.LinkOrigin"/>): set for a
    /// source that is a committed snapshot, or an earlier result of the same step. Null: every file is copied.
    /// </summary>
    internal LinkOrigin? LinkOrigin { get; set; }

    /// <summary>How many files the last apply hard-linked to <see cref="LinkOrigin"/> rather than copied.</summary>
    internal long SharedFiles { get; private set; }

    /// <summary>True when no two entries land at one path (a later one would replace an earlier one there).</summary>
    internal bool TargetsAreDistinct()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        return _items.SelectMany(i => i.Entries).Where(e => e.TargetPath.Length > 0).All(e => seen.Add(e.TargetPath));
    }

    /// <summary>The mode an entry will have in the image (<c>--chmod</c> applied).</summary>
    public uint EffectiveMode(SourceEntry entry) => _chmod?.Apply(entry.Mode, entry.Type == SourceEntryType.Directory) ?? entry.Mode;

    /// <summary>
    /// The fingerprint of every entry, in order (reads or takes from the stat cache each file's digest): for
    /// <c>--explain-cache</c> to name the entry that changed between two builds.
    /// </summary>
    public async Task<IReadOnlyList<SourceFingerprint>> DescribeSourcesAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<SourceFingerprint>();
        foreach (var item in _items)
            foreach (var entry in item.Entries)
                result.Add(new SourceFingerprint(item.Source, item.Kind.ToString(), entry.TargetPath, entry.Type,
                    Convert.ToString(EffectiveMode(entry), 8), OwnerKey(entry), entry.LinkTarget,
                    await entry.GetContentDigestAsync(cancellationToken)));
        return result;
    }

    /// <summary>
    /// A digest of what the copy writes, for the cache key: the sha256 over <see cref="DescribeSourcesAsync"/>'s
    /// fingerprints (target path, type, effective mode after <c>--chmod</c>, owner, symlink target, content digest,
    /// how each source lands). Not the source mtimes or the checkout's owner, so a touched file or a fresh clone still
    /// hits; not the destination or the flags, which belong to the op's own definition.
    /// </summary>
    public async Task<Digest> ComputeSourceDigestAsync(CancellationToken cancellationToken = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var fingerprint in await DescribeSourcesAsync(cancellationToken))
            hash.AppendData(Encoding.UTF8.GetBytes(fingerprint + "\n"));
        return Digest.FromHash(hash.GetHashAndReset());
    }

    private string OwnerKey(SourceEntry entry) =>
        _chown?.ToString() ?? (entry.Tree is { KeepsOwnership: true } ? string.Create(CultureInfo.InvariantCulture, $"{entry.Uid}:{entry.Gid}") : "0:0");

    /// <summary>
    /// Writes the copy into <paramref name="rootfs"/> (a stage's merged filesystem, treated as "/"): destination rules
    /// as BuildKit (trailing <c>/</c> or several sources: a directory; an existing directory: into it; relative:
    /// against WORKDIR), missing directories created 0755 owned by the <c>--chown</c> user (else root).
    /// <c>--chown</c> names are looked up in <paramref name="rootfs"/>.
    /// </summary>
    public Task<CopyResult> ApplyAsync(string rootfs, CancellationToken cancellationToken = default) =>
        ApplyCoreAsync(rootfs, rootfs, cancellationToken);

    /// <summary>
    /// <c>--link</c>: writes the copy into <paramref name="layerDirectory"/>, an empty directory independent of the
    /// stage, as BuildKit copies onto scratch and merges: a destination without a trailing slash is a file path even if
    /// the stage has a directory there, no symlink of the stage is followed, and missing parents are created in the
    /// layer (0755, the <c>--chown</c> owner). As in BuildKit, <c>--chown</c> takes only numeric ids and "root" here:
    /// there is no /etc/passwd to look names up in (a <see cref="FormatException"/> says so).
    /// </summary>
    public Task<CopyResult> ApplyToLayerAsync(string layerDirectory, CancellationToken cancellationToken = default)
    {
        if (_chown is { NeedsLookup: true })
            throw new FormatException($"--chown={_chown} can't be used with --link: a linked layer is made without the stage's /etc/passwd and /etc/group, so use numeric ids (e.g. --chown=1000:1000)");
        return ApplyCoreAsync(layerDirectory, layerDirectory, cancellationToken);
    }

    /// <summary>
    /// <see cref="ApplyAsync"/> for a rootfs that is an overlay mount over <c>upperDirectory</c>: when the copy is one
    /// directory's contents into a destination that does not exist yet, only that directory is made through the mount
    /// and its contents come back as <see cref="DeferredContents"/>, to be written straight into the upper directory
    /// once the mount is gone (a file created through overlayfs costs several lookups in every lower layer; in a
    /// directory that is new in the upper layer, the result is the same). Otherwise the whole copy is applied and null
    /// is returned.
    /// </summary>
    public async Task<DeferredContents?> ApplyDeferringAsync(string rootfs, CancellationToken cancellationToken = default)
    {
        if (_items is [{ Kind: CopyItemKind.DirectoryContents } item] && Spec.Sources.Count == 1 && Spec.InlineSources.Count == 0)
        {
            var owner = _chown?.Resolve(rootfs);
            var created = Spec.CreatedTime ?? DateTimeOffset.UtcNow;
            var relative = ContextPath.Clean(Spec.Destination.StartsWith('/') ? Spec.Destination : Spec.WorkingDirectory.TrimEnd('/') + "/" + Spec.Destination);
            using var root = new DestinationRoot(rootfs);
            if (relative.Length > 0 && root.TypeOf(relative) is null)
            {
                var (parent, name) = ContextPath.Split(relative);
                var parentFd = root.EnsureDirectory(parent, owner ?? (0u, 0u), created);
                try
                {
                    if (LibC.MkdirAt(parentFd, name, 0x1c0) == 0)
                    {
                        var fd = LibC.OpenAt(parentFd, name, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                        if (fd < 0) throw LibC.Failure($"opening \"/{relative}\"");
                        try { return new DeferredContents(root.RelativePathOf(fd), item, owner, _chmod, LinkOrigin, Spec.CreatedTime, shared => SharedFiles = shared); }
                        finally { LibC.Close(fd); }
                    }
                    if (LibC.LastError != LibC.EEXIST) throw LibC.Failure($"creating directory \"/{relative}\"");
                    // A dangling symlink is in the way: the ordinary copy follows it.
                }
                finally { LibC.Close(parentFd); }
            }
        }
        await ApplyCoreAsync(rootfs, rootfs, cancellationToken);
        return null;
    }

    private async Task<CopyResult> ApplyCoreAsync(string rootfs, string ownerLookupRootfs, CancellationToken cancellationToken)
    {
        var owner = _chown?.Resolve(ownerLookupRootfs);
        var directoryOwner = owner ?? (0u, 0u);
        var created = Spec.CreatedTime ?? DateTimeOffset.UtcNow;
        var destination = Spec.Destination.StartsWith('/') ? Spec.Destination : Spec.WorkingDirectory.TrimEnd('/') + "/" + Spec.Destination;
        var destinationIsDirectory = Spec.Destination.EndsWith('/') || Spec.Destination == "." || Spec.Destination.EndsWith("/.", StringComparison.Ordinal);
        var relative = ContextPath.Clean(destination);
        if (relative.Length == 0) destinationIsDirectory = true;
        var display = "/" + relative + (destinationIsDirectory && relative.Length > 0 ? "/" : "");

        using var root = new DestinationRoot(rootfs);
        var writer = new CopyWriter(root, owner, _chmod, LinkOrigin, Spec.CreatedTime);
        long extracted = 0;
        var existingType = root.TypeOf(relative);
        var severalSources = Spec.Sources.Count + Spec.InlineSources.Count > 1 || _items.Count > 1;
        if (severalSources && !destinationIsDirectory && existingType != LibC.S_IFDIR)
            throw new IOException($"When using COPY with more than one source file, the destination must be a directory and end with a / (destination \"{Spec.Destination}\")");
        var intoDirectory = destinationIsDirectory || severalSources || existingType == LibC.S_IFDIR;

        foreach (var item in _items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (item.Kind)
            {
                case CopyItemKind.Single:
                {
                    var entry = item.Entries[0];
                    var (directory, name) = intoDirectory ? (relative, entry.TargetPath) : ContextPath.Split(relative);
                    var fd = root.EnsureDirectory(directory, directoryOwner, created);
                    try { await writer.WriteLeafAsync(fd, root.RelativePathOf(fd), name, entry, cancellationToken); }
                    finally { LibC.Close(fd); }
                    break;
                }
                case CopyItemKind.DirectoryContents:
                    await CopyDirectoryAsync(root, writer, relative, item, directoryOwner, created, cancellationToken);
                    break;
                case CopyItemKind.Parents:
                {
                    var fd = root.EnsureDirectory(relative, directoryOwner, created);
                    try { await writer.WriteTreeAsync(fd, root.RelativePathOf(fd), item.Entries, cancellationToken); }
                    finally { LibC.Close(fd); }
                    break;
                }
                case CopyItemKind.Archive:
                {
                    var fd = root.EnsureDirectory(relative, directoryOwner, created);
                    try
                    {
                        await using var tar = await ArchiveFormat.OpenDecompressedAsync(item.Entries[0].FullPath!, cancellationToken);
                        // A user's archive is not a layer: ".wh." entries are files, not deletions.
                        var result = await LayerUnpacker.UnpackAsync(tar, $"/proc/self/fd/{fd}", new UnpackOptions { Whiteouts = WhiteoutMode.Keep }, cancellationToken);
                        extracted += result.Entries;
                    }
                    catch (InvalidDataException e)
                    {
                        throw new InvalidDataException($"ADD {item.Source}: extracting the archive into \"{display}\": {e.Message}", e);
                    }
                    finally { LibC.Close(fd); }
                    break;
                }
            }
        }
        SharedFiles = writer.Shared;
        return new CopyResult(writer.Written + extracted, display);
    }

    private static async Task CopyDirectoryAsync(DestinationRoot root, CopyWriter writer, string relative, CopyItem item, (uint, uint) directoryOwner, DateTimeOffset created, CancellationToken cancellationToken)
    {
        var top = item.Entries[0];
        var children = item.Entries.Skip(1);
        var type = root.TypeOf(relative);
        if (type == LibC.S_IFDIR)
        {
            // An existing destination directory keeps its own metadata.
            var fd = root.Open(relative, LibC.O_PATH | LibC.O_DIRECTORY);
            if (fd < 0) throw LibC.Failure($"opening \"/{relative}\"");
            try { await writer.WriteTreeAsync(fd, root.RelativePathOf(fd), children, cancellationToken); }
            finally { LibC.Close(fd); }
            return;
        }
        if (type is not null) throw new IOException($"cannot copy to non-directory: \"/{relative}\"");

        // A new destination directory takes the source directory's metadata, like any copied directory.
        var (parent, name) = ContextPath.Split(relative);
        var parentFd = root.EnsureDirectory(parent, directoryOwner, created);
        try
        {
            if (LibC.MkdirAt(parentFd, name, 0x1c0) != 0)
            {
                if (LibC.LastError != LibC.EEXIST) throw LibC.Failure($"creating directory \"/{relative}\"");
                // A dangling symlink is in the way: its target is created inside the root, as BuildKit resolves it.
                var linked = root.EnsureDirectory(relative, directoryOwner, created);
                try { await writer.WriteTreeAsync(linked, root.RelativePathOf(linked), children, cancellationToken); }
                finally { LibC.Close(linked); }
                return;
            }
            var fd = LibC.OpenAt(parentFd, name, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
            if (fd < 0) throw LibC.Failure($"opening \"/{relative}\"");
            try { await writer.WriteTreeAsync(fd, root.RelativePathOf(fd), children, cancellationToken, baseIsNew: true); }
            finally { LibC.Close(fd); }
            writer.ApplyMetadata(parentFd, name, top, "/" + relative, isDestination: true);
        }
        finally { LibC.Close(parentFd); }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (_scratch() is { } scratch && Directory.Exists(scratch))
        {
            try { Directory.Delete(scratch, recursive: true); }
            catch (IOException) { /* a leftover temp dir is harmless */ }
        }
        return ValueTask.CompletedTask;
    }
}
