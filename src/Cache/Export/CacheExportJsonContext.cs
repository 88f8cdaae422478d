using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ashlar.Cache.Export;

/// <summary>Source-generated (NativeAOT-clean) JSON of cache configs.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CacheConfigDocument))]
internal sealed partial class CacheExportJsonContext : JsonSerializerContext
{
    /// <summary>Writes '+' in media types as is, as the manifests around it do.</summary>
    public static CacheExportJsonContext Relaxed { get; } = new(new JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
