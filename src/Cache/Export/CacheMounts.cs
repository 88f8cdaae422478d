using Ashlar.Cache.Remote;
using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Layers;

namespace Ashlar.Cache.Export;

/// <summary>
/// Exports and restores the persistent <c>RUN --mount=type=cache</c> directories of a store
/// (<c>&lt;store root&gt;/cache-mounts/&lt;name&gt;</c>), so a fresh runner starts with the package caches another
/// runner filled. Opt-in: their contents are whatever the builds left there.
/// </summary>
public static class CacheMounts
{
    private const string Folder = "cache-mounts";

    /// <summary>Packs every cache mount directory of the store at <paramref name="storeRoot"/> into a layer in <paramref name="content"/>.</summary>
    public static async Task<IReadOnlyList<CacheMountLayer>> PackAsync(string storeRoot, FileContentStore content, CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(storeRoot, Folder);
        if (!Directory.Exists(root)) return [];
        var layers = new List<CacheMountLayer>();
        foreach (var directory in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(directory);
            if (!IsMountName(name)) continue; // .new-* leftovers of a racing creator
            var blob = await LayerBlob.FromDirectoryAsync(content, directory, LayerCompression.Gzip, cancellationToken: cancellationToken).ConfigureAwait(false);
            layers.Add(new CacheMountLayer(name, blob.Descriptor));
        }
        return layers;
    }

    /// <summary>
    /// Restores each of <paramref name="mounts"/> the store at <paramref name="storeRoot"/> does not have yet (a local
    /// cache mount is never overwritten), fetching its layer from <paramref name="sources"/>. A mount that cannot be
    /// had is a warning. Returns how many were restored.
    /// </summary>
    public static async Task<int> RestoreAsync(string storeRoot, IContentStore content, IReadOnlyList<CacheMountLayer> mounts, IReadOnlyList<ILayerSource> sources,
        Action<string> warn, CancellationToken cancellationToken = default)
    {
        var root = Path.Combine(storeRoot, Folder);
        var restored = 0;
        foreach (var mount in mounts)
        {
            if (!IsMountName(mount.Name))
            {
                warn($"ignoring a cache mount named \"{mount.Name}\" in the imported cache: not a cache mount name");
                continue;
            }
            var target = Path.Combine(root, mount.Name);
            if (Directory.Exists(target)) continue;
            if (!await LayerSources.TryFetchAsync(sources, mount.Layer, content, cancellationToken).ConfigureAwait(false))
            {
                warn($"the contents of cache mount {mount.Name} are in no imported cache; it starts empty");
                continue;
            }
            Directory.CreateDirectory(root);
            var fresh = $"{target}.new-{Guid.NewGuid():N}";
            try
            {
                await using (var blob = content.OpenRead(mount.Layer.Digest))
                    await LayerUnpacker.UnpackAsync(blob, fresh, cancellationToken: cancellationToken).ConfigureAwait(false);
                Directory.Move(fresh, target); // a build that created the mount meanwhile wins
                restored++;
            }
            catch (IOException) when (Directory.Exists(target))
            {
            }
            finally
            {
                if (Directory.Exists(fresh)) Directory.Delete(fresh, recursive: true);
            }
        }
        return restored;
    }

    // RunStep names a mount's directory by the first 32 hex digits of sha256(id): nothing else may reach the file system.
    private static bool IsMountName(string name) => name.Length == 32 && name.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}
