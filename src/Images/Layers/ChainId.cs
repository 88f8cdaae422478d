using System.Text;
using Ashlar.Images.Content;

namespace Ashlar.Images.Layers;

/// <summary>
/// Chain IDs name a stack of layers (OCI image-spec config.md, "Layer ChainID"):
/// <c>ChainID(L0) = DiffID(L0)</c>, <c>ChainID(L0|...|Ln) = sha256(ChainID(L0|...|Ln-1) + " " + DiffID(Ln))</c>.
/// Unpacked snapshots are keyed by them, so a shared base is unpacked once.
/// </summary>
public static class ChainId
{
    /// <summary>The chain ID of the whole stack of <paramref name="diffIds"/> (bottom first).</summary>
    public static Digest Of(IEnumerable<Digest> diffIds)
    {
        Digest? chain = null;
        foreach (var diffId in diffIds) chain = Next(chain, diffId);
        return chain ?? throw new ArgumentException("a chain ID needs at least one layer", nameof(diffIds));
    }

    /// <summary>The chain ID of every prefix: element i names layers 0..i.</summary>
    public static IReadOnlyList<Digest> ForEachLayer(IEnumerable<Digest> diffIds)
    {
        var result = new List<Digest>();
        Digest? chain = null;
        foreach (var diffId in diffIds)
        {
            chain = Next(chain, diffId);
            result.Add(chain.Value);
        }
        return result;
    }

    /// <summary>The chain ID of <paramref name="parent"/> with one more layer on top (the layer's own DiffID when there is no parent).</summary>
    public static Digest Next(Digest? parent, Digest diffId) =>
        parent is { } p ? Digest.Sha256(Encoding.ASCII.GetBytes($"{p} {diffId}")) : diffId;
}
