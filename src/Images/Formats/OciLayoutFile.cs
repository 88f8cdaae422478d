using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>The <c>oci-layout</c> marker file of an OCI image layout.</summary>
public sealed record OciLayoutFile
{
    [JsonPropertyName("imageLayoutVersion")] public string ImageLayoutVersion { get; init; } = "1.0.0";
}
