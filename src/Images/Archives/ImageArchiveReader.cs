using System.Formats.Tar;
using System.Text.Json;
using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Store;

namespace Ashlar.Images.Archives;

/// <summary>
/// Loads an image archive into the store (<c>ashlar load</c>): an OCI layout tar, a docker-archive as docker 25+
/// writes it (OCI layout plus manifest.json), or an older docker-archive (<c>&lt;id&gt;/layer.tar</c>,
/// <c>&lt;id&gt;.json</c>). The tar (optionally gzip/zstd compressed) is read once, in order; blobs stream into the
/// store and are verified against the digest in their name, so a corrupted archive stores nothing under a wrong name.
/// </summary>
public static class ImageArchiveReader
{
    private const long MaxMetadataSize = 64 << 20;

    /// <summary>Loads every image in the archive and names it as the archive does.</summary>
    public static async Task<IReadOnlyList<LoadedImage>> LoadAsync(ImageStore store, Stream archive, string source = "archive", CancellationToken cancellationToken = default)
    {
        var (tarStream, _) = await LayerCodec.OpenDecompressedAsync(archive, leaveOpen: true, cancellationToken);
        await using var _1 = tarStream;
        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var stored = new Dictionary<string, (Digest Digest, long Size)>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);

        await using (var reader = new TarReader(tarStream, leaveOpen: true))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                var name = Normalize(entry.Name);
                if (entry.EntryType is TarEntryType.SymbolicLink or TarEntryType.HardLink)
                {
                    var target = entry.EntryType == TarEntryType.HardLink ? entry.LinkName : Path.Combine(Path.GetDirectoryName(name) ?? "", entry.LinkName);
                    aliases[name] = Normalize(Path.GetFullPath("/" + target)[1..]);
                    continue;
                }
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;

                var parts = name.Split('/');
                if (parts is ["blobs", var algorithm, var hex] && Digest.TryParse($"{algorithm}:{hex}", out var digest))
                {
                    stored[name] = await store.Content.WriteAsync(entry.DataStream, digest, entry.Length, cancellationToken);
                }
                else if (name.EndsWith(".tar", StringComparison.Ordinal) || entry.Length > MaxMetadataSize)
                {
                    // A layer of an older docker-archive: <id>/layer.tar (docker) or <hex>.tar (skopeo).
                    stored[name] = await store.Content.WriteAsync(entry.DataStream, cancellationToken: cancellationToken);
                }
                else
                {
                    var buffer = new MemoryStream();
                    await entry.DataStream.CopyToAsync(buffer, cancellationToken);
                    metadata[name] = buffer.ToArray();
                }
            }
        }

        if (metadata.TryGetValue("index.json", out var indexBytes))
        {
            var index = Parse(indexBytes, ImageJsonContext.Relaxed.ImageIndex, source, "index.json");
            List<DockerArchiveEntry>? dockerManifest = metadata.TryGetValue("manifest.json", out var m)
                ? Parse(m, ImageJsonContext.Relaxed.ListDockerArchiveEntry, source, "manifest.json") : null;
            return await LoadLayoutAsync(store, index, dockerManifest, source, cancellationToken);
        }
        if (metadata.TryGetValue("manifest.json", out var manifestBytes))
        {
            var entries = Parse(manifestBytes, ImageJsonContext.Relaxed.ListDockerArchiveEntry, source, "manifest.json");
            return await LoadDockerArchiveAsync(store, entries, metadata, stored, aliases, source, cancellationToken);
        }
        throw new InvalidDataException($"{source}: neither index.json (OCI layout) nor manifest.json (docker-archive) found; this is not an image archive");
    }

    private static async Task<IReadOnlyList<LoadedImage>> LoadLayoutAsync(ImageStore store, ImageIndex index, List<DockerArchiveEntry>? dockerManifest, string source, CancellationToken cancellationToken)
    {
        var loaded = new List<LoadedImage>();
        foreach (var descriptor in index.Manifests)
        {
            if (!store.Content.Exists(descriptor.Digest))
                throw new InvalidDataException($"{source}: index.json names {descriptor.DigestText}, which the archive does not contain");
            var image = await store.LoadImageAsync(descriptor, null, cancellationToken);
            foreach (var layer in image.Manifest.Layers)
                if (!store.Content.Exists(layer.Digest))
                    throw new InvalidDataException($"{source}: layer {layer.DigestText} of {descriptor.DigestText} is missing from the archive");

            var names = new List<ImageReference>();
            if (NameOf(descriptor) is { } named) names.Add(named);
            else if (dockerManifest?.FirstOrDefault(e => e.Config.EndsWith(image.Id.Hex, StringComparison.Ordinal))?.RepoTags is { } tags)
                names.AddRange(tags.Select(ImageReference.Parse));

            var target = Descriptor.For(descriptor.MediaType, descriptor.Digest, descriptor.Size);
            if (names.Count == 0)
            {
                await store.AddDanglingAsync(target, cancellationToken);
                loaded.Add(new LoadedImage(null, image.Id));
            }
            foreach (var name in names)
            {
                await store.TagAsync(name, target, cancellationToken);
                loaded.Add(new LoadedImage(name, image.Id));
            }
        }
        return loaded;
    }

    // io.containerd.image.name carries the full name; ref.name is often just a tag, which names nothing alone.
    private static ImageReference? NameOf(Descriptor descriptor)
    {
        if (ImageReference.TryParse(descriptor.Annotation(AnnotationKeys.ContainerdImageName), out var full)) return full;
        var refName = descriptor.Annotation(AnnotationKeys.RefName);
        if (refName is not null && (refName.Contains('/') || refName.Contains(':')) && ImageReference.TryParse(refName, out var reference))
            return reference;
        return null;
    }

    private static async Task<IReadOnlyList<LoadedImage>> LoadDockerArchiveAsync(ImageStore store, List<DockerArchiveEntry> entries,
        Dictionary<string, byte[]> metadata, Dictionary<string, (Digest Digest, long Size)> stored, Dictionary<string, string> aliases, string source, CancellationToken cancellationToken)
    {
        var loaded = new List<LoadedImage>();
        foreach (var entry in entries)
        {
            // The config keeps its exact bytes: its digest is the image ID.
            var configPath = Resolve(entry.Config, aliases);
            Descriptor config;
            if (stored.TryGetValue(configPath, out var blob)) config = Descriptor.For(MediaTypes.OciConfig, blob.Digest, blob.Size);
            else if (metadata.TryGetValue(configPath, out var configBytes)) config = await store.PutBytesAsync(configBytes, MediaTypes.OciConfig, null, cancellationToken);
            else throw new InvalidDataException($"{source}: manifest.json names config \"{entry.Config}\", which the archive does not contain");
            var imageConfig = await store.LoadConfigAsync(config.Digest, cancellationToken);

            var layers = new List<Descriptor>();
            foreach (var layerPath in entry.Layers)
            {
                if (!stored.TryGetValue(Resolve(layerPath, aliases), out var layer))
                    throw new InvalidDataException($"{source}: manifest.json names layer \"{layerPath}\", which the archive does not contain");
                layers.Add(Descriptor.For(LayerCodec.OciMediaType(await SniffAsync(store, layer.Digest, cancellationToken)), layer.Digest, layer.Size));
            }
            if (layers.Count != imageConfig.RootFs.DiffIds.Count)
                throw new InvalidDataException($"{source}: image {config.Digest.Short} lists {layers.Count} layers but its config has {imageConfig.RootFs.DiffIds.Count} diff_ids");

            var manifest = await store.PutManifestAsync(new ImageManifest { MediaType = MediaTypes.OciManifest, Config = config, Layers = layers }, cancellationToken);
            var names = entry.RepoTags?.Select(ImageReference.Parse).ToList() ?? [];
            if (names.Count == 0)
            {
                await store.AddDanglingAsync(manifest, cancellationToken);
                loaded.Add(new LoadedImage(null, config.Digest));
            }
            foreach (var name in names)
            {
                await store.TagAsync(name, manifest, cancellationToken);
                loaded.Add(new LoadedImage(name, config.Digest));
            }
        }
        return loaded;
    }

    private static async Task<LayerCompression> SniffAsync(ImageStore store, Digest digest, CancellationToken cancellationToken)
    {
        await using var stream = store.Content.OpenRead(digest);
        var header = new byte[4];
        var read = await stream.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        return LayerCodec.Detect(header.AsSpan(0, read));
    }

    private static string Resolve(string path, Dictionary<string, string> aliases)
    {
        path = Normalize(path);
        for (var hops = 0; hops < 16 && aliases.TryGetValue(path, out var target); hops++) path = target;
        return path;
    }

    private static string Normalize(string name) => name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name.TrimStart('/');

    private static T Parse<T>(byte[] bytes, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, string source, string file)
    {
        try
        {
            return JsonSerializer.Deserialize(bytes, typeInfo) ?? throw new InvalidDataException($"{source}: {file} is null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: {file} is not valid: {e.Message}", e);
        }
    }
}
