using System.IO.Compression;
using Ashlar.Executor.Native;
using Ashlar.Images.Content;

namespace Ashlar.Executor.Diff;

/// <summary>
/// Turns an overlay upper directory (what one step changed) into an OCI layer: a tar in a fixed order with
/// whiteouts as <c>.wh.&lt;name&gt;</c> and replaced directories marked <c>.wh..wh..opq</c>
/// (<see href="https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts">OCI layer whiteouts</see>),
/// streamed through sha256 (diff ID), gzip and sha256 again (compressed digest) in one pass.
/// </summary>
public static class LayerDiff
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueMarker = ".wh..wh..opq";
    private const string OverlayXattrPrefix = "trusted.overlay.";

    /// <summary>Writes the gzip-compressed layer of <paramref name="upperDirectory"/> to <paramref name="output"/>.</summary>
    public static async Task<LayerDiffResult> WriteAsync(string upperDirectory, Stream output, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(upperDirectory))
            throw new DirectoryNotFoundException($"upper directory {upperDirectory} does not exist");
        await using var compressed = new HashingStream(output, leaveOpen: true);
        Digest diffId;
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        await using (var tar = new HashingStream(gzip, leaveOpen: true))
        {
            await WriteTarAsync(upperDirectory, tar, cancellationToken).ConfigureAwait(false);
            diffId = tar.Digest;
        }
        await compressed.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new LayerDiffResult(diffId, compressed.Digest, compressed.BytesWritten);
    }

    /// <summary>Writes the uncompressed layer tar of <paramref name="upperDirectory"/>.</summary>
    internal static async Task WriteTarAsync(string upperDirectory, Stream output, CancellationToken cancellationToken)
    {
        var writer = new TarEntryWriter(output);
        var hardLinks = new Dictionary<(uint, uint, ulong), string>();
        await WriteDirectoryAsync(writer, upperDirectory, "", hardLinks, cancellationToken).ConfigureAwait(false);
        await writer.FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteDirectoryAsync(TarEntryWriter writer, string directory, string prefix,
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
            var xattrs = KeptXattrs(path);

            if (status.IsOverlayWhiteout)
            {
                await writer.WriteHeaderAsync(new TarEntryHeader(prefix + WhiteoutPrefix + name, '0', status.Permissions,
                    status.Uid, status.Gid, 0, status.ModifiedSeconds), cancellationToken).ConfigureAwait(false);
                continue;
            }
            switch (status.Type)
            {
                case LibC.S_IFDIR:
                    await writer.WriteHeaderAsync(Header(entryName + "/", '5', status, 0) with { Xattrs = xattrs }, cancellationToken).ConfigureAwait(false);
                    if (Posix.GetXattr(path, OverlayXattrPrefix + "opaque") is [(byte)'y', ..])
                        await writer.WriteHeaderAsync(new TarEntryHeader(entryName + "/" + OpaqueMarker, '0', status.Permissions,
                            status.Uid, status.Gid, 0, status.ModifiedSeconds), cancellationToken).ConfigureAwait(false);
                    await WriteDirectoryAsync(writer, path, entryName + "/", hardLinks, cancellationToken).ConfigureAwait(false);
                    break;
                case LibC.S_IFREG:
                    var inode = (status.DeviceMajor, status.DeviceMinor, status.Inode);
                    if (status.LinkCount > 1 && hardLinks.TryGetValue(inode, out var first))
                    {
                        await writer.WriteHeaderAsync(Header(entryName, '1', status, 0) with { LinkName = first, Xattrs = xattrs }, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    if (status.LinkCount > 1) hardLinks[inode] = entryName;
                    await using (var content = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan))
                    {
                        await writer.WriteHeaderAsync(Header(entryName, '0', status, status.Size) with { Xattrs = xattrs }, cancellationToken).ConfigureAwait(false);
                        await writer.WriteContentAsync(content, status.Size, cancellationToken).ConfigureAwait(false);
                    }
                    break;
                case LibC.S_IFLNK:
                    await writer.WriteHeaderAsync(Header(entryName, '2', status, 0) with { LinkName = Posix.ReadLink(path), Xattrs = xattrs }, cancellationToken).ConfigureAwait(false);
                    break;
                case LibC.S_IFCHR or LibC.S_IFBLK:
                    await writer.WriteHeaderAsync(Header(entryName, status.Type == LibC.S_IFCHR ? '3' : '4', status, 0)
                        with { DeviceMajor = status.RDeviceMajor, DeviceMinor = status.RDeviceMinor, Xattrs = xattrs }, cancellationToken).ConfigureAwait(false);
                    break;
                case LibC.S_IFIFO:
                    await writer.WriteHeaderAsync(Header(entryName, '6', status, 0) with { Xattrs = xattrs }, cancellationToken).ConfigureAwait(false);
                    break;
                // Sockets are not part of an image (tar has no type for them either).
            }
        }
    }

    private static TarEntryHeader Header(string name, char type, FileStatus status, long size) =>
        new(name, type, status.Permissions, status.Uid, status.Gid, size, status.ModifiedSeconds);

    /// <summary>Every xattr but overlayfs's own bookkeeping (opaque, origin, impure, ...).</summary>
    private static IReadOnlyList<KeyValuePair<string, byte[]>> KeptXattrs(string path)
    {
        var names = Posix.ListXattrs(path);
        if (names.Count == 0) return [];
        var kept = new List<KeyValuePair<string, byte[]>>();
        foreach (var name in names)
            if (!name.StartsWith(OverlayXattrPrefix, StringComparison.Ordinal) && Posix.GetXattr(path, name) is { } value)
                kept.Add(new(name, value));
        return kept;
    }
}
