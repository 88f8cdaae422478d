using Ashlar.Builder.Solving;
using Ashlar.Cache.Remote;
using Ashlar.Images.Formats;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Builder.Exporting;

/// <summary>
/// The final image's layers as the store needs them before its manifest is written: a layer the store lacks is
/// recorded as lazy when a remote layer source (an imported registry cache, a cache layout) has it, so a rebuild that
/// is all cache hits moves no layer bytes; only a layer no such source has is fetched now. Whatever needs a lazy
/// layer's bytes later (run, an export, save, push, a later build's snapshot) fetches it then.
/// </summary>
internal static class LazyLayers
{
    public static async Task PlaceAsync(BuildSession session, IReadOnlyList<Descriptor> layers, string? image, CancellationToken cancellationToken)
    {
        var store = session.Store;
        var absent = layers.Where(l => !store.Content.Exists(l.Digest) && !store.Lazy.IsLazy(l.Digest)).DistinctBy(l => l.DigestText).ToList();
        if (absent.Count == 0) return;
        var remotes = session.Request.LayerSources.OfType<IRemoteLayerSource>().ToList();
        await Parallel.ForEachAsync(absent, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (layer, token) =>
        {
            // Probed (a HEAD), not trusted from the cache record: a lazy layer's source must really have it.
            foreach (var remote in remotes)
                if (await remote.LocateAsync(layer, token) is { } location)
                {
                    await store.Lazy.RecordAsync(layer, [location], image, token);
                    return;
                }
            await session.EnsureBlobAsync(layer, token);
        });
    }
}
