using System.Text.Json;
using System.Text.Json.Serialization;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Records;

/// <summary>A digest as its <c>sha256:hex</c> string, as OCI documents write it.</summary>
internal sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Digest.TryParse(reader.GetString(), out var digest) ? digest : throw new JsonException($"invalid digest \"{reader.GetString()}\"");

    public override void Write(Utf8JsonWriter writer, Digest value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
