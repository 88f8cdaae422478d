using System.Formats.Tar;
using Ashlar.Executor.Native;
using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Layers;

namespace Ashlar.Executor.Diff;

/// <summary>
/// Turns an overlay upper directory (what one step changed) into an OCI layer: a tar in a fixed order with
/// whiteouts as <c>.wh.&lt;name&gt;</c> and replaced directories marked <c>.wh..wh..opq</c>
/// (<see href="https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts">OCI layer whiteouts</see>),
/// streamed through sha256 (diff ID), gzip and sha256 again (compressed digest) in one pass. Entries are written
/// with the image store's <see cref="LayerTarWriter"/>; the walk here knows overlay's upper-dir conventions.
/// </summary>
public static class LayerDiff
{
    private const string OverlayXattrPrefix = "trusted.overlay.";

    /// <summary>Writes the gzip-compressed layer of <paramref name="upperDirectory"/> to <paramref name="output"/>.</summary>
    public static async Task<LayerDiffResult> WriteAsync(string upperDirectory, Stream output, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(upperDirectory))
            throw new DirectoryNotFoundException($"upper directory {upperDirectory} does not exist");
        await using var compressed = new HashingWriteStream(output);
        Digest diffId;
        await using (var gzip = LayerCodec.Compress(compressed, LayerCompression.Gzip, leaveOpen: true))
        await using (var tar = new HashingWriteStream(gzip))
        {
            await WriteTarAsync(upperDirectory, tar, cancellationToken).ConfigureAwait(false);
            diffId = tar.Digest;
        }
        await compressed.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new LayerDiffResult(diffId, compressed.Digest, compressed.BytesWritten);
    }

    /// <summary>
    /// Stores the gzip layer of <paramref name="upperDirectory"/> in <paramref name="content"/>: one pass of tar,
    /// sha256 (DiffID), parallel gzip and the store's own sha256 of the blob as it is written.
    /// </summary>
    public static Task<LayerBlob> WriteBlobAsync(string upperDirectory, FileContentStore content, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(upperDirectory))
            throw new DirectoryNotFoundException($"upper directory {upperDirectory} does not exist");
        return LayerBlob.CreateAsync(content, LayerCompression.Gzip, (tar, ct) => WriteTarAsync(upperDirectory, tar, ct), cancellationToken);
    }

    /// <summary>
    /// Writes the uncompressed layer tar of <paramref name="upperDirectory"/> (for <c>LayerBlob.CreateAsync</c>,
    /// which stores it in the content store with any compression in the same single pass).
    /// </summary>
    public static async Task WriteTarAsync(string upperDirectory, Stream output, CancellationToken cancellationToken = default)
    {
        // A step that changed nothing still makes a valid tar: just the end-of-archive blocks, as docker's empty layer.
        await using (var writer = new LayerTarWriter(output, leaveOpen: true))
        {
            var hardLinks = new Dictionary<(uint, uint, ulong), string>();
            await WriteDirectoryAsync(writer, upperDirectory, "", hardLinks, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteDirectoryAsync(LayerTarWriter writer, string directory, string prefix,
        Dictionary<(uint, uint, ulong), string> hardLinks, CancellationToken cancellationToken)
    {
        // Ordinal order of names within each directory, parents before children: the same tree, the same tar.
        var names = Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        foreach (var name in names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var path = Path.Combine(directory, name!);
            var entryName = prefix + name;
            if (Posix.LStat(path) is not { } status) continue; // vanished meanwhile
            if (status.IsOverlayWhiteout)
            {
                await writer.AddWhiteoutAsync(entryName, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var metadata = Metadata(path, status);
            switch (status.Type)
            {
                case LibC.S_IFDIR:
                    await writer.AddDirectoryAsync(entryName, metadata, cancellationToken).ConfigureAwait(false);
                    if (Posix.GetXattr(path, OverlayXattrPrefix + "opaque") is [(byte)'y', ..])
                        await writer.AddOpaqueAsync(entryName, cancellationToken).ConfigureAwait(false);
                    await WriteDirectoryAsync(writer, path, entryName + "/", hardLinks, cancellationToken).ConfigureAwait(false);
                    break;
                case LibC.S_IFREG:
                    var inode = (status.DeviceMajor, status.DeviceMinor, status.Inode);
                    if (status.LinkCount > 1 && hardLinks.TryGetValue(inode, out var first))
                    {
                        await writer.AddHardLinkAsync(entryName, first, metadata, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    if (status.LinkCount > 1) hardLinks[inode] = entryName;
                    await using (var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0, FileOptions.SequentialScan))
                        await writer.AddFileAsync(entryName, content, metadata, cancellationToken).ConfigureAwait(false);
                    break;
                case LibC.S_IFLNK:
                    await writer.AddSymlinkAsync(entryName, Posix.ReadLink(path) ?? "", metadata, cancellationToken).ConfigureAwait(false);
                    break;
                case LibC.S_IFCHR or LibC.S_IFBLK:
                    await writer.AddSpecialAsync(entryName, status.Type == LibC.S_IFCHR ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice,
                        (int)status.RDeviceMajor, (int)status.RDeviceMinor, metadata, cancellationToken).ConfigureAwait(false);
                    break;
                case LibC.S_IFIFO:
                    await writer.AddSpecialAsync(entryName, TarEntryType.Fifo, 0, 0, metadata, cancellationToken).ConfigureAwait(false);
                    break;
                // Sockets are not part of an image (tar has no type for them either).
            }
        }
    }

    /// <summary>Mode, owner, mtime in whole seconds (as docker's archive writes it) and every xattr but overlay's own.</summary>
    private static LayerEntryMetadata Metadata(string path, FileStatus status)
    {
        Dictionary<string, byte[]>? xattrs = null;
        foreach (var name in Posix.ListXattrs(path))
            if (!name.StartsWith(OverlayXattrPrefix, StringComparison.Ordinal) && Posix.GetXattr(path, name) is { } value)
                (xattrs ??= new(StringComparer.Ordinal))[name] = value;
        return new LayerEntryMetadata((UnixFileMode)status.Permissions, (int)status.Uid, (int)status.Gid,
            DateTimeOffset.FromUnixTimeSeconds(status.ModifiedSeconds), xattrs);
    }
}
