namespace Ashlar.Parser.Instructions;

/// <summary>How concurrent builds share a cache mount (<c>sharing=</c>).</summary>
public enum CacheSharing
{
    /// <summary>Many writers at once (the default).</summary>
    Shared,
    /// <summary>A new cache directory when one is in use.</summary>
    Private,
    /// <summary>Wait until the other writer has released it.</summary>
    Locked,
}
