namespace Ashlar.Cache.Records;

/// <summary>How one input differs from the closest previously recorded key.</summary>
public enum CacheInputChange
{
    /// <summary>Present in both with a different value.</summary>
    Changed,
    /// <summary>Present now, absent before.</summary>
    Added,
    /// <summary>Present before, absent now.</summary>
    Removed,
}
