using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Layers;

namespace Ashlar.Builder.Solving;

/// <summary>
/// A stage's file system after some step, as the chain of layers it is made of. It becomes a committed snapshot
/// (named by its chain ID, shared with images and later builds) only when something needs its files: a step that
/// misses, a <c>COPY --from</c> or bind mount that misses. A fully cached build never materialises one.
/// </summary>
internal sealed class LayerChain
{
    private LayerChain(LayerChain? parent, Descriptor? layer, Digest? diffId, Digest? chainId)
    {
        Parent = parent;
        Layer = layer;
        DiffId = diffId;
        ChainId = chainId;
    }

    /// <summary>No files at all (scratch).</summary>
    public static LayerChain Empty { get; } = new(null, null, null, null);

    /// <summary>The chain below the top layer; null for <see cref="Empty"/>.</summary>
    public LayerChain? Parent { get; }

    /// <summary>The top layer's blob; null for <see cref="Empty"/>.</summary>
    public Descriptor? Layer { get; }

    /// <summary>The top layer's diff ID; null for <see cref="Empty"/>.</summary>
    public Digest? DiffId { get; }

    /// <summary>The chain ID of every layer up to the top, and the name of the snapshot holding them; null when empty.</summary>
    public Digest? ChainId { get; }

    /// <summary>The snapshot name, or null for an empty chain.</summary>
    public string? SnapshotName => ChainId?.ToString();

    /// <summary>This chain with one more layer on top.</summary>
    public LayerChain With(Descriptor layer, Digest diffId) =>
        new(this, layer, diffId, Images.Layers.ChainId.Next(ChainId, diffId));

    /// <summary>The chain of an image's layers, bottom first.</summary>
    public static LayerChain Of(IReadOnlyList<Descriptor> layers, IReadOnlyList<Digest> diffIds)
    {
        if (layers.Count != diffIds.Count)
            throw new InvalidDataException($"the config lists {diffIds.Count} diff IDs for {layers.Count} layers");
        var chain = Empty;
        for (var i = 0; i < layers.Count; i++) chain = chain.With(layers[i], diffIds[i]);
        return chain;
    }

    /// <inheritdoc />
    public override string ToString() => SnapshotName ?? "(empty)";
}
