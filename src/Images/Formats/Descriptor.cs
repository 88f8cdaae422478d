using System.Text.Json.Serialization;
using Ashlar.Images.Content;

namespace Ashlar.Images.Formats;

/// <summary>An OCI content descriptor (<see href="https://github.com/opencontainers/image-spec/blob/main/descriptor.md"/>).</summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")] public required string MediaType { get; init; }
    [JsonPropertyName("digest")] public required string DigestText { get; init; }
    [JsonPropertyName("size")] public required long Size { get; init; }
    [JsonPropertyName("urls")] public IReadOnlyList<string>? Urls { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("data")] public string? Data { get; init; }
    [JsonPropertyName("platform")] public Platform? Platform { get; init; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }

    /// <summary>The parsed digest; throws <see cref="FormatException"/> for a malformed one.</summary>
    [JsonIgnore] public Digest Digest => Digest.Parse(DigestText);

    /// <summary>A descriptor for stored content.</summary>
    public static Descriptor For(string mediaType, Digest digest, long size) => new() { MediaType = mediaType, DigestText = digest.ToString(), Size = size };

    /// <summary>An annotation's value, or null.</summary>
    public string? Annotation(string key) => Annotations is not null && Annotations.TryGetValue(key, out var value) ? value : null;
}
