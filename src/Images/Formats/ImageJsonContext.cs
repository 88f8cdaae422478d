using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>
/// Source-generated (NativeAOT clean) JSON for every format type. Nulls are left out, as the Go tools do.
/// Use e.g. <c>JsonSerializer.Serialize(manifest, ImageJsonContext.Default.ImageManifest)</c>.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageConfig))]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(List<DockerArchiveEntry>))]
[JsonSerializable(typeof(Dictionary<string, Dictionary<string, string>>))]
[JsonSerializable(typeof(ManifestProbe))]
public sealed partial class ImageJsonContext : JsonSerializerContext;
