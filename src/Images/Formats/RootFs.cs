using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>The layer DiffIDs (digests of the uncompressed layer tars), bottom first.</summary>
public sealed record RootFs
{
    [JsonPropertyName("type")] public string Type { get; init; } = "layers";
    [JsonPropertyName("diff_ids")] public IReadOnlyList<string> DiffIds { get; init; } = [];
}
