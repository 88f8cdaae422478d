using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>One step of an image's history; <see cref="EmptyLayer"/> steps made no layer.</summary>
public sealed record HistoryEntry
{
    [JsonPropertyName("created")] public DateTime? Created { get; init; }
    [JsonPropertyName("created_by")] public string? CreatedBy { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("comment")] public string? Comment { get; init; }
    [JsonPropertyName("empty_layer")] public bool? EmptyLayer { get; init; }
}
