using Ashlar.Images.Formats;

namespace Ashlar.Cache.Export;

/// <summary>The contents of one <c>RUN --mount=type=cache</c> directory, exported as a layer (<c>--cache-to ...,cache-mounts=true</c>).</summary>
/// <param name="Name">The mount's directory name under <c>&lt;store root&gt;/cache-mounts</c> (a digest of its id).</param>
/// <param name="Layer">The gzip tar of its contents.</param>
public sealed record CacheMountLayer(
    [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
    [property: System.Text.Json.Serialization.JsonPropertyName("layer")] Descriptor Layer);
