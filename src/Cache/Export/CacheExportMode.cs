namespace Ashlar.Cache.Export;

/// <summary>Which steps a cache export carries (BuildKit's <c>mode=</c>).</summary>
public enum CacheExportMode
{
    /// <summary>Only the steps whose layers are in the final image (and those that add no layer): small, and enough to rebuild the same image.</summary>
    Min,
    /// <summary>Every step of every stage, with all their layers: intermediate stages hit too.</summary>
    Max,
}
