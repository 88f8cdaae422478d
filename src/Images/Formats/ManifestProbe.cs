using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>Just enough of any manifest to tell what it is when no Content-Type came with it.</summary>
public sealed record ManifestProbe
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; }
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; }
    [JsonPropertyName("config")] public Descriptor? Config { get; init; }
    [JsonPropertyName("manifests")] public IReadOnlyList<Descriptor>? Manifests { get; init; }

    /// <summary>The media type, from the field or, failing that, from the shape (index has manifests, manifest has config).</summary>
    [JsonIgnore]
    public string? EffectiveMediaType => MediaType ?? (Manifests is not null ? MediaTypes.OciIndex : Config is not null ? MediaTypes.OciManifest : null);
}
