using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>One image in a docker-archive's <c>manifest.json</c> (the format <c>docker save</c>/<c>docker load</c> use).</summary>
public sealed record DockerArchiveEntry
{
    [JsonPropertyName("Config")] public required string Config { get; init; }
    [JsonPropertyName("RepoTags")] public IReadOnlyList<string>? RepoTags { get; init; }
    [JsonPropertyName("Layers")] public required IReadOnlyList<string> Layers { get; init; }
    [JsonPropertyName("LayerSources")] public IReadOnlyDictionary<string, Descriptor>? LayerSources { get; init; }
}
