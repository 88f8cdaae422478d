using Ashlar.Images.Content;

namespace Ashlar.Images.Store.Lazy;

/// <summary>
/// A lazy blob was needed and none of its sources could supply it (unreachable, no such blob, damaged, or too slow).
/// Nothing in the store changed: the image and its record are as they were, so a later try can still succeed.
/// </summary>
public sealed class LazyBlobUnavailableException(string? image, Digest digest, long size, IReadOnlyList<string> failures)
    : IOException($"{(image is null ? "an image in the store" : $"image {image}")}: its layer {digest} ({size} bytes) is not in the store yet (it was built from a "
        + $"remote cache and is fetched when needed), and fetching it failed: {string.Join("; ", failures)}. The store is unchanged; "
        + "try again when the source is reachable, or rebuild or pull the image")
{
    /// <summary>The image that needed it, when known.</summary>
    public string? Image { get; } = image;

    /// <summary>The blob.</summary>
    public Digest Digest { get; } = digest;

    /// <summary>One line per source tried: the source and why it failed.</summary>
    public IReadOnlyList<string> Failures { get; } = failures;
}
