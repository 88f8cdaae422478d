using System.Text.Json;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Images.Registry;

/// <summary>
/// A manifest or index exactly as the registry served it (the bytes are what the digest covers), with the
/// descriptors it points at. Only the fields a transfer needs are read, so this stays independent of the
/// full format records.
/// </summary>
internal sealed class ManifestContent
{
    ManifestContent(byte[] bytes, string mediaType, Digest digest, ContentDescriptor? config,
        IReadOnlyList<ContentDescriptor> layers, IReadOnlyList<ContentDescriptor> manifests)
    {
        Bytes = bytes;
        MediaType = mediaType;
        Digest = digest;
        Config = config;
        Layers = layers;
        Manifests = manifests;
    }

    public byte[] Bytes { get; }
    public string MediaType { get; }
    public Digest Digest { get; }

    /// <summary>The image config (a manifest only).</summary>
    public ContentDescriptor? Config { get; }

    /// <summary>The layers, base first (a manifest only).</summary>
    public IReadOnlyList<ContentDescriptor> Layers { get; }

    /// <summary>The per-platform manifests (an index or manifest list only).</summary>
    public IReadOnlyList<ContentDescriptor> Manifests { get; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>The config and layers, the blobs an image manifest needs.</summary>
    public IEnumerable<ContentDescriptor> Blobs => Config is null ? Layers : Layers.Prepend(Config);

    /// <summary>
    /// Reads a manifest. The media type comes from the response's Content-Type, else from the document's own
    /// <c>mediaType</c>; anything but OCI/Docker schema 2 manifests and indexes is refused with an error that
    /// names <paramref name="reference"/>.
    /// </summary>
    public static ManifestContent Parse(byte[] bytes, string? contentType, string reference)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new RegistryException($"malformed manifest for {reference}: not valid JSON ({e.Message})", "MANIFEST_INVALID", inner: e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new RegistryException($"malformed manifest for {reference}: expected a JSON object", "MANIFEST_INVALID");

            var declared = String(root, "mediaType");
            var schemaVersion = root.TryGetProperty("schemaVersion", out var version) && version.ValueKind == JsonValueKind.Number ? version.GetInt32() : 0;
            var mediaType = Known(contentType) ?? Known(declared)
                ?? (schemaVersion == 2 && declared is null ? Guess(root) : null);
            if (mediaType is null)
            {
                if (schemaVersion == 1 || contentType is DistributionMediaTypes.DockerSchema1 or DistributionMediaTypes.DockerSchema1Signed)
                    throw new RegistryException($"unsupported manifest for {reference}: Docker schema 1 manifests are deprecated and not supported; push the image again with a current client", "MANIFEST_INVALID");
                throw new RegistryException($"unsupported manifest for {reference}: unknown media type \"{declared ?? contentType ?? "(none)"}\"", "MANIFEST_INVALID");
            }
            if (schemaVersion != 2)
                throw new RegistryException($"malformed manifest for {reference}: schemaVersion must be 2", "MANIFEST_INVALID");

            var digest = Digest.Sha256(bytes);
            if (MediaTypes.IsIndex(mediaType))
            {
                var manifests = Descriptors(root, "manifests", reference);
                return new ManifestContent(bytes, mediaType, digest, null, [], manifests);
            }

            if (!root.TryGetProperty("config", out var configElement))
                throw new RegistryException($"malformed manifest for {reference}: it has no config descriptor", "MANIFEST_INVALID");
            var config = Descriptor(configElement, reference, "config");
            var layers = Descriptors(root, "layers", reference);
            return new ManifestContent(bytes, mediaType, digest, config, layers, []);
        }
    }

    static string? Known(string? mediaType)
    {
        if (mediaType is null) return null;
        var bare = mediaType.Split(';')[0].Trim();
        return MediaTypes.IsIndex(bare) || MediaTypes.IsManifest(bare) ? bare : null;
    }

    // OCI allows an index or manifest without mediaType; the fields present tell them apart.
    static string? Guess(JsonElement root) =>
        root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex
        : root.TryGetProperty("config", out _) ? MediaTypes.OciManifest
        : null;

    static List<ContentDescriptor> Descriptors(JsonElement root, string property, string reference)
    {
        if (!root.TryGetProperty(property, out var array) || array.ValueKind != JsonValueKind.Array)
            throw new RegistryException($"malformed manifest for {reference}: \"{property}\" must be an array", "MANIFEST_INVALID");
        var list = new List<ContentDescriptor>();
        var index = 0;
        foreach (var element in array.EnumerateArray())
            list.Add(Descriptor(element, reference, $"{property}[{index++}]"));
        return list;
    }

    static ContentDescriptor Descriptor(JsonElement element, string reference, string where)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new RegistryException($"malformed manifest for {reference}: {where} is not a descriptor object", "MANIFEST_INVALID");
        var mediaType = String(element, "mediaType") ?? "";
        if (!Digest.TryParse(String(element, "digest"), out var digest))
            throw new RegistryException($"malformed manifest for {reference}: {where} has an invalid digest \"{String(element, "digest")}\"", "MANIFEST_INVALID");
        if (!element.TryGetProperty("size", out var sizeElement) || !sizeElement.TryGetInt64(out var size) || size < 0)
            throw new RegistryException($"malformed manifest for {reference}: {where} has no valid size", "MANIFEST_INVALID");
        string? os = null, architecture = null, variant = null;
        if (element.TryGetProperty("platform", out var platform) && platform.ValueKind == JsonValueKind.Object)
        {
            os = String(platform, "os");
            architecture = String(platform, "architecture");
            variant = String(platform, "variant");
        }
        return new ContentDescriptor(mediaType, digest, size, os, architecture, variant);
    }

    static string? String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
