using System.Text.Json.Serialization;
using Ashlar.Images.Formats;

namespace Ashlar.Images.Store.Lazy;

/// <summary>
/// The record of a blob an image in the store references but the store does not hold yet: the blob's descriptor,
/// where it can be fetched, and (for messages) the image it was recorded for.
/// </summary>
public sealed record LazyBlob
{
    /// <summary>The blob (media type, digest, size) as the image's manifest lists it.</summary>
    [JsonPropertyName("blob")] public required Descriptor Blob { get; init; }

    /// <summary>Where it can be fetched, tried in order.</summary>
    [JsonPropertyName("sources")] public required IReadOnlyList<LazyBlobSource> Sources { get; init; }

    /// <summary>The image it was recorded for (a name or digest), or null.</summary>
    [JsonPropertyName("image")] public string? Image { get; init; }

    /// <summary>When it was recorded.</summary>
    [JsonPropertyName("recorded")] public DateTimeOffset Recorded { get; init; }
}
