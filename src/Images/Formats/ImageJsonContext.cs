using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ashlar.Images.Formats;

/// <summary>
/// Source-generated (NativeAOT clean) JSON for every format type. Nulls are left out, as the Go tools do.
/// Use <see cref="Relaxed"/> to write, e.g. <c>JsonSerializer.Serialize(manifest, ImageJsonContext.Relaxed.ImageManifest)</c>:
/// it leaves '+' in media types unescaped, as the Go tools write them.
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
public sealed partial class ImageJsonContext : JsonSerializerContext
{
    /// <summary>The context with relaxed escaping (<c>application/vnd.oci.image.layer.v1.tar+gzip</c>, not <c>\u002B</c>).</summary>
    public static ImageJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
