using System.Formats.Tar;
using System.Text.Json;
using Ashlar.Images.Formats;
using Ashlar.Images.Store;

namespace Ashlar.Builder.Exporting;

/// <summary>
/// <c>--output type=docker|oci</c>: one tar holding an OCI image layout (oci-layout, index.json, blobs/sha256/...);
/// the docker flavour adds a <c>manifest.json</c> with RepoTags so <c>docker load</c> reads it, as BuildKit's does.
/// </summary>
internal static class ArchiveWriter
{
    public static async Task WriteAsync(ImageStore store, StoredBuild build, IReadOnlyList<string> tags, bool docker, Stream output, CancellationToken cancellationToken)
    {
        var fixedTime = DateTimeOffset.UnixEpoch;
        await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        async Task AddBytesAsync(string name, byte[] bytes)
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes), ModificationTime = fixedTime, Mode = (UnixFileMode)Convert.ToInt32("644", 8) };
            await tar.WriteEntryAsync(entry, cancellationToken);
        }
        async Task AddBlobAsync(Descriptor descriptor)
        {
            await store.Lazy.EnsureAsync(descriptor, cancellationToken: cancellationToken); // a lazy layer is fetched now
            await using var blob = store.Content.OpenRead(descriptor.Digest);
            var entry = new PaxTarEntry(TarEntryType.RegularFile, BlobPath(descriptor)) { DataStream = blob, ModificationTime = fixedTime, Mode = (UnixFileMode)Convert.ToInt32("644", 8) };
            await tar.WriteEntryAsync(entry, cancellationToken);
        }

        var directory = new PaxTarEntry(TarEntryType.Directory, "blobs/") { ModificationTime = fixedTime, Mode = (UnixFileMode)Convert.ToInt32("755", 8) };
        await tar.WriteEntryAsync(directory, cancellationToken);
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "blobs/sha256/") { ModificationTime = fixedTime, Mode = (UnixFileMode)Convert.ToInt32("755", 8) }, cancellationToken);
        foreach (var layer in build.ManifestDocument.Layers)
            await AddBlobAsync(layer);
        await AddBlobAsync(build.Config);
        await AddBlobAsync(build.Manifest);

        var named = tags.Select(t => Images.References.ImageReference.Parse(t)).ToList();
        var index = new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests = [build.Manifest with
            {
                Annotations = named.Count == 0 ? null : new Dictionary<string, string>
                {
                    ["io.containerd.image.name"] = named[0].ToString(),
                    [AnnotationKeys.RefName] = named[0].Tag ?? "latest",
                },
            }],
        };
        await AddBytesAsync("index.json", JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Default.ImageIndex));
        await AddBytesAsync("oci-layout", JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ImageJsonContext.Default.OciLayoutFile));
        if (docker)
        {
            var manifest = new List<DockerArchiveEntry>
            {
                new()
                {
                    Config = BlobPath(build.Config),
                    RepoTags = named.Count == 0 ? null : named.Select(n => n.Familiar).ToList(),
                    Layers = build.ManifestDocument.Layers.Select(BlobPath).ToList(),
                },
            };
            await AddBytesAsync("manifest.json", JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Default.ListDockerArchiveEntry));
        }
    }

    private static string BlobPath(Descriptor descriptor) => $"blobs/{descriptor.Digest.Algorithm}/{descriptor.Digest.Hex}";
}
