using Ashlar.Cache.Keys;

namespace Ashlar.Cache.Remote;

/// <summary>The index keys <see cref="Records.LayerCache"/> uses, for the layers that fill or check an index without it.</summary>
internal static class LayerCacheKeys
{
    public const string RecordPrefix = "record/";
    public const string ChildrenPrefix = "children/";

    public static string Record(CacheKey key) => $"{RecordPrefix}{key}";
}
