using Ashlar.Images.Content;

namespace Ashlar.Cache.Keys;

/// <summary>
/// A cache key together with everything it was folded from, by name, so that a miss can be explained.
/// Made by <see cref="CacheKeyBuilder"/>.
/// </summary>
public sealed class CacheKeyInputs
{
    internal CacheKeyInputs(CacheKey key, CacheKey parent, string opKind, Digest definition, IReadOnlyList<CacheInput> inputs)
    {
        Key = key;
        Parent = parent;
        OpKind = opKind;
        Definition = definition;
        Inputs = inputs;
    }

    /// <summary>The key.</summary>
    public CacheKey Key { get; }

    /// <summary>The parent's key (or the base image's).</summary>
    public CacheKey Parent { get; }

    /// <summary>The op kind ("exec", "file", ...).</summary>
    public string OpKind { get; }

    /// <summary>The digest of the op's normalised definition.</summary>
    public Digest Definition { get; }

    /// <summary>The named inputs, in ordinal order of <see cref="CacheInput.Id"/>.</summary>
    public IReadOnlyList<CacheInput> Inputs { get; }
}
