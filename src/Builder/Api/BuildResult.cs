namespace Ashlar.Builder;

/// <summary>What a successful build made.</summary>
public sealed record BuildResult
{
    /// <summary>The image's manifest digest (<c>containerimage.digest</c>).</summary>
    public required string ImageDigest { get; init; }

    /// <summary>The image's config digest: docker's image ID (<c>containerimage.config.digest</c>).</summary>
    public required string ConfigDigest { get; init; }

    /// <summary>The names the image got in the store.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Warnings, e.g. build arguments no stage used.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Each layer step's cache key, parent, record and hit or miss, in build order.</summary>
    public IReadOnlyList<CacheStep> CacheSteps { get; init; } = [];

    /// <summary>Docker's <c>--metadata-file</c> keys and values.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
