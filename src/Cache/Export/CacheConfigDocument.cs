using System.Text.Json.Serialization;

namespace Ashlar.Cache.Export;

/// <summary>The config blob of a cache manifest (and the inline cache field): every exported step.</summary>
internal sealed record CacheConfigDocument
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("version")] public int Version { get; init; } = CurrentVersion;
    [JsonPropertyName("steps")] public required List<CacheConfigStep> Steps { get; init; }
    [JsonPropertyName("cacheMounts")] public List<CacheMountLayer>? CacheMounts { get; init; }
}
