using Ashlar.Images.Content;

namespace Ashlar.Cache.Keys;

/// <summary>
/// The cache key of one op's result: a sha256 over the parent's key, the op's normalised definition and every
/// named input that can change the result (see <see cref="CacheKeyBuilder"/>).
/// </summary>
public readonly record struct CacheKey(Digest Digest) : IComparable<CacheKey>
{
    /// <summary>The key of a chain's root: a base image by its manifest digest (or <c>scratch</c>'s fixed key).</summary>
    public static CacheKey ForBaseImage(Digest manifestDigest) => new(manifestDigest);

    /// <summary>The root key of <c>FROM scratch</c>.</summary>
    public static CacheKey Scratch { get; } = new(Digest.Sha256("ashlar:scratch"u8));

    /// <summary>Parses the <c>sha256:hex</c> form.</summary>
    public static CacheKey Parse(string text) => new(Digest.Parse(text));

    /// <inheritdoc />
    public override string ToString() => Digest.ToString();

    /// <inheritdoc />
    public int CompareTo(CacheKey other) => Digest.CompareTo(other.Digest);
}
