using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ashlar.Cache.Export;

/// <summary>One step in a cache config. The record is kept as the JSON the index stores, so new record fields travel unchanged.</summary>
internal sealed record CacheConfigStep
{
    [JsonPropertyName("key")] public required string Key { get; init; }
    [JsonPropertyName("parent")] public required string Parent { get; init; }
    [JsonPropertyName("op")] public required string Op { get; init; }
    [JsonPropertyName("instruction")] public string? Instruction { get; init; }
    [JsonPropertyName("record")] public required JsonElement Record { get; init; }
}
