using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Remote;

/// <summary>Trying several <see cref="ILayerSource"/>s in order.</summary>
public static class LayerSources
{
    /// <summary>Whether <paramref name="layer"/> is in <paramref name="store"/> after asking each source in turn until one has it.</summary>
    public static async Task<bool> TryFetchAsync(IReadOnlyList<ILayerSource> sources, Descriptor layer, IContentStore store, CancellationToken cancellationToken)
    {
        if (store.Exists(layer.Digest)) return true;
        foreach (var source in sources)
            if (await source.TryFetchAsync(layer, store, cancellationToken).ConfigureAwait(false))
                return true;
        return false;
    }
}
