using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>
/// An image configuration (OCI image-spec config.md), keeping Docker's extra fields; fields Ashlar does not model
/// survive a read-modify-write through <see cref="Extra"/>.
/// </summary>
public sealed record ImageConfig
{
    [JsonPropertyName("created")] public DateTime? Created { get; init; }
    [JsonPropertyName("author")] public string? Author { get; init; }
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = Platform.Current.Architecture;
    [JsonPropertyName("os")] public string OS { get; init; } = "linux";
    [JsonPropertyName("os.version")] public string? OSVersion { get; init; }
    [JsonPropertyName("os.features")] public IReadOnlyList<string>? OSFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
    [JsonPropertyName("config")] public ContainerConfig? Config { get; init; }
    [JsonPropertyName("rootfs")] public RootFs RootFs { get; init; } = new();
    [JsonPropertyName("history")] public IReadOnlyList<HistoryEntry>? History { get; init; }

    /// <summary>Fields of the JSON that this type does not model (docker's container_config, docker_version, ...).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary>The platform this config describes.</summary>
    [JsonIgnore] public Platform Platform => new() { OS = OS, Architecture = Architecture, Variant = Variant, OSVersion = OSVersion };
}
