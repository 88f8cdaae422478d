using System.Formats.Tar;
using System.Text.Json;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Store;

namespace Ashlar.Images.Archives;

/// <summary>
/// Writes images from the store to a tar (<c>ashlar save</c>), streaming blobs straight from the store. Blobs keep
/// their stored bytes, so loading the archive again gives the same manifest and config digests. Entry order and
/// headers are fixed: the same images give the same archive.
/// </summary>
public static class ImageArchiveWriter
{
    /// <summary>Writes the images named by <paramref name="namesOrIds"/> (references or IDs) to <paramref name="output"/>.</summary>
    public static async Task WriteAsync(ImageStore store, IReadOnlyList<string> namesOrIds, Stream output, ImageArchiveFormat format = ImageArchiveFormat.Docker, Platform? platform = null, CancellationToken cancellationToken = default)
    {
        if (namesOrIds.Count == 0) throw new ArgumentException("name at least one image to save", nameof(namesOrIds));

        // One archive image per manifest, carrying every reference that was asked for.
        var images = new List<(StoredImage Image, List<ImageReference> References)>();
        foreach (var nameOrId in namesOrIds)
        {
            var target = await store.FindAsync(nameOrId, cancellationToken);
            var image = await store.LoadImageAsync(target, platform, cancellationToken);
            var existing = images.FindIndex(i => i.Image.ManifestDigest == image.ManifestDigest);
            if (existing < 0)
            {
                images.Add((image, []));
                existing = images.Count - 1;
            }
            if (ImageReference.TryParse(nameOrId, out var reference) && reference!.Digest is null
                && (await store.ResolveAsync(reference, cancellationToken)) is not null
                && !images[existing].References.Contains(reference))
                images[existing].References.Add(reference);
        }

        var blobs = new SortedSet<Digest>();
        var indexEntries = new List<Descriptor>();
        var archiveManifest = new List<DockerArchiveEntry>();
        var repositories = new SortedDictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (image, references) in images)
        {
            blobs.Add(image.ManifestDigest);
            blobs.Add(image.Id);
            foreach (var layer in image.Manifest.Layers) blobs.Add(layer.Digest);
            var plain = Descriptor.For(image.Descriptor.MediaType, image.ManifestDigest, image.Descriptor.Size);
            if (references.Count == 0) indexEntries.Add(plain);
            foreach (var reference in references)
                indexEntries.Add(plain with
                {
                    Annotations = new Dictionary<string, string>
                    {
                        [AnnotationKeys.ContainerdImageName] = reference.ToString(),
                        // docker save puts the tag alone here; skopeo's oci-archive:FILE:TAG finds it by that.
                        [AnnotationKeys.RefName] = reference.Tag ?? reference.ToString(),
                    },
                });
            if (format == ImageArchiveFormat.Docker)
            {
                archiveManifest.Add(new DockerArchiveEntry
                {
                    Config = BlobPath(image.Id),
                    RepoTags = references.Count == 0 ? null : references.Select(r => r.Familiar).ToList(),
                    Layers = image.Manifest.Layers.Select(l => BlobPath(l.Digest)).ToList(),
                });
                var top = image.DiffIds.LastOrDefault();
                foreach (var reference in references.Where(r => r.Tag is not null))
                {
                    if (!repositories.TryGetValue(reference.FamiliarName, out var tags)) repositories[reference.FamiliarName] = tags = [];
                    tags[reference.Tag!] = top == default ? image.Id.Hex : top.Hex;
                }
            }
        }

        await using var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        await WriteDirectoryAsync(tar, "blobs/", cancellationToken);
        foreach (var algorithm in blobs.Select(b => b.Algorithm).Distinct())
            await WriteDirectoryAsync(tar, $"blobs/{algorithm}/", cancellationToken);
        foreach (var blob in blobs)
        {
            await using var content = store.Content.OpenRead(blob);
            await WriteFileAsync(tar, BlobPath(blob), content, cancellationToken);
        }
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = indexEntries };
        await WriteFileAsync(tar, "index.json", JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Relaxed.ImageIndex), cancellationToken);
        if (format == ImageArchiveFormat.Docker)
        {
            await WriteFileAsync(tar, "manifest.json", JsonSerializer.SerializeToUtf8Bytes(archiveManifest, ImageJsonContext.Relaxed.ListDockerArchiveEntry), cancellationToken);
        }
        await WriteFileAsync(tar, "oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ImageJsonContext.Relaxed.OciLayoutFile), cancellationToken);
        if (format == ImageArchiveFormat.Docker)
        {
            var repositoriesJson = repositories.ToDictionary(r => r.Key, r => r.Value);
            await WriteFileAsync(tar, "repositories", JsonSerializer.SerializeToUtf8Bytes(repositoriesJson, ImageJsonContext.Relaxed.DictionaryStringDictionaryStringString), cancellationToken);
        }
    }

    private static string BlobPath(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Hex}";

    private static Task WriteDirectoryAsync(TarWriter tar, string name, CancellationToken cancellationToken) =>
        tar.WriteEntryAsync(new UstarTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ed, ModificationTime = DateTimeOffset.UnixEpoch }, cancellationToken);

    private static Task WriteFileAsync(TarWriter tar, string name, byte[] content, CancellationToken cancellationToken) =>
        WriteFileAsync(tar, name, new MemoryStream(content), cancellationToken);

    private static Task WriteFileAsync(TarWriter tar, string name, Stream content, CancellationToken cancellationToken) =>
        tar.WriteEntryAsync(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = (UnixFileMode)0x1a4, ModificationTime = DateTimeOffset.UnixEpoch, DataStream = content,
        }, cancellationToken);
}
