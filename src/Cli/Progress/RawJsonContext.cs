using System.Text.Json.Serialization;

namespace Ashlar.Cli.Progress;

/// <summary>Source-generated serialization of <see cref="RawJsonEvent"/> (NativeAOT: no reflection).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RawJsonEvent))]
internal sealed partial class RawJsonContext : JsonSerializerContext;
