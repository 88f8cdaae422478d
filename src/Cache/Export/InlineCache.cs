using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Export;

/// <summary>
/// <c>--cache-to type=inline</c>: the final image's cache steps written into its own config under
/// <see cref="CacheMediaTypes.InlineConfigField"/> (as BuildKit writes <c>moby.buildkit.cache.v0</c>), so pushing the
/// image pushes its cache, and <c>--cache-from type=registry,ref=IMAGE</c> reads it back. The layers are the image's.
/// </summary>
public static class InlineCache
{
    /// <summary>
    /// The image config <paramref name="imageConfig"/> with <paramref name="steps"/> as its inline cache (replacing an
    /// earlier one); every other field is kept as it was.
    /// </summary>
    public static byte[] Embed(ReadOnlySpan<byte> imageConfig, IEnumerable<CacheExportStep> steps)
    {
        var config = JsonNode.Parse(imageConfig) as JsonObject
            ?? throw new InvalidDataException("the image config is not a JSON object");
        var cache = JsonNode.Parse(CacheArtifact.ConfigOf(steps));
        config[CacheMediaTypes.InlineConfigField] = cache;
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            config.WriteTo(writer);
        return buffer.ToArray();
    }

    /// <summary>
    /// Rewrites the image <paramref name="manifest"/> in <paramref name="store"/> with <paramref name="steps"/> as its
    /// inline cache: a new config and manifest (the layers stay). Returns the new manifest's descriptor; tagging it is
    /// the caller's.
    /// </summary>
    public static async Task<Descriptor> EmbedAsync(Images.Store.ImageStore store, Digest manifest, IEnumerable<CacheExportStep> steps,
        CancellationToken cancellationToken = default)
    {
        var image = await store.LoadManifestAsync(manifest, cancellationToken).ConfigureAwait(false);
        var configBytes = await store.Content.ReadAllBytesAsync(image.Config.Digest, cancellationToken).ConfigureAwait(false);
        var embedded = Embed(configBytes, steps);
        var config = await store.PutBytesAsync(embedded, image.Config.MediaType, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await store.PutManifestAsync(image with { Config = config }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The inline cache of an image config, or null (with a warning naming <paramref name="source"/>) when it has none or it is unreadable.</summary>
    public static ImportedCache? Read(ReadOnlySpan<byte> imageConfig, string source, Action<string> warn)
    {
        JsonElement field;
        try
        {
            using var document = JsonDocument.Parse(imageConfig.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(CacheMediaTypes.InlineConfigField, out var found))
            {
                warn($"image {source} has no inline cache (no \"{CacheMediaTypes.InlineConfigField}\" in its config); building without it");
                return null;
            }
            field = found.Clone();
        }
        catch (JsonException e)
        {
            warn($"image {source} has an unreadable config ({e.Message.Split('\n')[0]}); building without its cache");
            return null;
        }
        return ImportedCache.ReadConfig(System.Text.Encoding.UTF8.GetBytes(field.GetRawText()), source, warn);
    }
}
