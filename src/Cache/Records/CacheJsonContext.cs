using System.Text.Json.Serialization;

namespace Ashlar.Cache.Records;

/// <summary>Source-generated (NativeAOT-clean) serialization of what the cache stores.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    Converters = [typeof(DigestJsonConverter)])]
[JsonSerializable(typeof(CacheRecord))]
[JsonSerializable(typeof(List<ChildEntry>))]
[JsonSerializable(typeof(List<SourceFile>))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
