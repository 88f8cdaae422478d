using System.Text.Json;
using Ashlar.Cache.Remote;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Export;

/// <summary>
/// <c>--cache-to type=local,dest=DIR</c> and <c>--cache-from type=local,src=DIR</c>: a cache artifact in an OCI image
/// layout on disk (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/</c>), e.g. a CI system's cache directory. Blobs are
/// written through a temporary file and renamed, and <c>index.json</c> last, so a reader sees the old or the new
/// cache, never half of one.
/// </summary>
public static class LocalCacheLayout
{
    private const string RefName = "ashlar-cache";

    /// <summary>
    /// Writes <paramref name="artifact"/> to the layout at <paramref name="directory"/> (created if needed), copying the
    /// layers it lacks from <paramref name="store"/> or, for a hit whose blob was never needed here, from
    /// <paramref name="sources"/>. Steps whose layer is nowhere are left out with a warning. Returns what was written.
    /// </summary>
    public static async Task<CacheArtifact> ExportAsync(string directory, CacheArtifact artifact, IContentStore store, IReadOnlyList<ILayerSource> sources,
        Action<string> warn, TransferCounter? counter = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        var missing = new HashSet<string>(StringComparer.Ordinal);
        foreach (var layer in artifact.Layers)
        {
            var path = BlobPath(directory, layer.Digest);
            if (File.Exists(path) && new FileInfo(path).Length == layer.Size) continue;
            if (!await LayerSources.TryFetchAsync(sources, layer, store, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(layer.DigestText);
                continue;
            }
            await using (var blob = store.OpenRead(layer.Digest))
                await WriteAtomicallyAsync(path, blob, cancellationToken).ConfigureAwait(false);
            counter?.Uploaded(layer.Size, layer: true);
        }
        if (missing.Count > 0)
        {
            warn($"cache export to {directory}: {missing.Count} layer(s) are in no store or imported cache any more; their steps are left out");
            artifact = CacheArtifact.Create(artifact.Steps.Where(s => s.Layer is null || !missing.Contains(s.Layer.DigestText)), CacheExportMode.Max,
                cacheMounts: artifact.CacheMounts.Where(m => !missing.Contains(m.Layer.DigestText)).ToList());
        }

        await WriteBytesAsync(BlobPath(directory, artifact.ConfigDescriptor.Digest), artifact.Config, counter, cancellationToken).ConfigureAwait(false);
        await WriteBytesAsync(BlobPath(directory, artifact.ManifestDescriptor.Digest), artifact.Manifest, counter, cancellationToken).ConfigureAwait(false);
        await WriteBytesAsync(Path.Combine(directory, "oci-layout"), JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ImageJsonContext.Relaxed.OciLayoutFile),
            null, cancellationToken).ConfigureAwait(false);
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests = [artifact.ManifestDescriptor with
            {
                ArtifactType = CacheMediaTypes.Config,
                Annotations = new Dictionary<string, string> { [AnnotationKeys.RefName] = RefName },
            }],
        };
        await WriteBytesAsync(Path.Combine(directory, "index.json"), JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Relaxed.ImageIndex),
            null, cancellationToken).ConfigureAwait(false);
        return artifact;
    }

    /// <summary>
    /// Reads the cache in the layout at <paramref name="directory"/>. A missing, foreign or damaged layout is a warning
    /// and a null cache; the layer source (which copies one blob when a hit needs it) is usable either way.
    /// </summary>
    public static async Task<(ImportedCache? Cache, ILayerSource Layers)> ImportAsync(string directory, Action<string> warn, TransferCounter? counter = null,
        CancellationToken cancellationToken = default)
    {
        var layers = new LayoutLayerSource(directory, warn, counter);
        var indexPath = Path.Combine(directory, "index.json");
        if (!File.Exists(indexPath))
        {
            warn($"no cache in {directory} yet (no index.json); building without it");
            return (null, layers);
        }
        try
        {
            var index = JsonSerializer.Deserialize(await File.ReadAllBytesAsync(indexPath, cancellationToken).ConfigureAwait(false), ImageJsonContext.Default.ImageIndex);
            var entry = index?.Manifests.FirstOrDefault(m => m.ArtifactType == CacheMediaTypes.Config || m.Annotation(AnnotationKeys.RefName) == RefName)
                ?? index?.Manifests.FirstOrDefault();
            if (entry is null)
            {
                warn($"cache {directory} lists no manifest in index.json; building without it");
                return (null, layers);
            }
            var manifestBytes = await ReadVerifiedAsync(directory, entry, counter, cancellationToken).ConfigureAwait(false);
            var manifest = JsonSerializer.Deserialize(manifestBytes, ImageJsonContext.Default.ImageManifest);
            if (!ImportedCache.IsCacheManifest(manifest, directory, warn)) return (null, layers);
            var config = await ReadVerifiedAsync(directory, manifest!.Config, counter, cancellationToken).ConfigureAwait(false);
            return (ImportedCache.ReadConfig(config, directory, warn), layers);
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            warn($"cache {directory} cannot be read ({e.Message.Split('\n')[0]}); building without it");
            return (null, layers);
        }
    }

    private static async Task<byte[]> ReadVerifiedAsync(string directory, Descriptor descriptor, TransferCounter? counter, CancellationToken cancellationToken)
    {
        var path = BlobPath(directory, descriptor.Digest);
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        if (Digest.Sha256(bytes) != descriptor.Digest || bytes.Length != descriptor.Size)
            throw new InvalidDataException($"{path} does not match its digest");
        counter?.Downloaded(bytes.Length);
        return bytes;
    }

    private static string BlobPath(string directory, Digest digest) => Path.Combine(directory, "blobs", digest.Algorithm, digest.Hex);

    private static async Task WriteBytesAsync(string path, byte[] bytes, TransferCounter? counter, CancellationToken cancellationToken)
    {
        using var content = new MemoryStream(bytes, writable: false);
        await WriteAtomicallyAsync(path, content, cancellationToken).ConfigureAwait(false);
        counter?.Uploaded(bytes.Length);
    }

    private static async Task WriteAtomicallyAsync(string path, Stream content, CancellationToken cancellationToken)
    {
        var temporary = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await content.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                await file.FlushAsync(cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
