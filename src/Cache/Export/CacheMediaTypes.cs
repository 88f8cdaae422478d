namespace Ashlar.Cache.Export;

/// <summary>How an exported cache identifies itself in registries, layouts and image configs.</summary>
public static class CacheMediaTypes
{
    /// <summary>The config media type (and artifact type) of a cache manifest: a plain OCI image manifest every registry accepts.</summary>
    public const string Config = "application/vnd.ashlar.cache.config.v1+json";

    /// <summary>The image config field that holds the inline cache (<c>--cache-to type=inline</c>), like BuildKit's <c>moby.buildkit.cache.v0</c>.</summary>
    public const string InlineConfigField = "ashlar.cache.v0";
}
