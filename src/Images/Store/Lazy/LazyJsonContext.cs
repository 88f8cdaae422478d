using System.Text.Json.Serialization;

namespace Ashlar.Images.Store.Lazy;

/// <summary>Source-generated JSON for the lazy blob records.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, WriteIndented = false)]
[JsonSerializable(typeof(LazyBlob))]
internal sealed partial class LazyJsonContext : JsonSerializerContext;
