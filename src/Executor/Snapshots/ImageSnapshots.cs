using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Layers;
using Ashlar.Images.Store;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// An image's layers as committed snapshots named by chain ID, each layer unpacked once into its own directory
/// in overlay form (whiteouts as 0/0 char devices, opaque dirs as xattrs), so images that share a base share its
/// snapshots and a step mounts them without re-extracting.
/// </summary>
public static class ImageSnapshots
{
    /// <summary>The snapshot directory of an image store: <c>&lt;store root&gt;/snapshots</c>.</summary>
    public static Snapshotter Open(ImageStore store) => new(Path.Combine(store.Root, "snapshots"));

    /// <summary>
    /// Makes sure every layer of <paramref name="image"/> is a committed snapshot and returns the name of the top
    /// one (its chain ID), to pass as the parent of <see cref="Snapshotter.Prepare"/>; null for an image without layers.
    /// </summary>
    public static async Task<string?> UnpackAsync(Snapshotter snapshots, ImageStore store, StoredImage image, CancellationToken cancellationToken = default)
    {
        var diffIds = image.DiffIds;
        if (diffIds.Count != image.Manifest.Layers.Count)
            throw new InvalidDataException($"image {image.Id.Short}: the config lists {diffIds.Count} diff IDs for {image.Manifest.Layers.Count} layers");
        var chainIds = ChainId.ForEachLayer(diffIds);
        string? parent = null;
        for (var i = 0; i < chainIds.Count; i++)
        {
            var name = chainIds[i].ToString();
            if (snapshots.Stat(name) is not { Kind: SnapshotKind.Committed })
                await UnpackLayerAsync(snapshots, store, image.Manifest.Layers[i], diffIds[i], name, parent, SnapshotOwner.ExtractKey(name), cancellationToken)
                    .ConfigureAwait(false);
            parent = name;
        }
        return parent;
    }

    /// <summary>
    /// Unpacks one layer blob on top of <paramref name="parent"/> and commits it as <paramref name="name"/> (its chain
    /// ID), checking that it unpacks to <paramref name="diffId"/>; <paramref name="key"/> names the active snapshot
    /// meanwhile (its owner, for leftover collection). When another process committed the same chain first, theirs is kept.
    /// </summary>
    public static async Task UnpackLayerAsync(Snapshotter snapshots, ImageStore store, Descriptor layer, Digest diffId, string name, string? parent,
        string key, CancellationToken cancellationToken = default)
    {
        var upper = snapshots.Prepare(key, parent)[0].UpperDirectory!;
        try
        {
            UnpackResult result;
            await using (var blob = store.Content.OpenRead(layer.Digest))
                result = await LayerUnpacker.UnpackAsync(blob, upper, new UnpackOptions { Whiteouts = WhiteoutMode.Overlay }, cancellationToken).ConfigureAwait(false);
            if (result.DiffId != diffId)
                throw new InvalidDataException($"layer {layer.Digest} unpacks to {result.DiffId}, but its diff ID is recorded as {diffId}");
            snapshots.Commit(name, key);
        }
        catch (SnapshotExistsException)
        {
            snapshots.Remove(key); // another process unpacked the same chain meanwhile: theirs is as good
        }
        catch
        {
            snapshots.Remove(key);
            throw;
        }
    }
}
