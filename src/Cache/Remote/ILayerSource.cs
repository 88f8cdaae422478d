namespace Ashlar.Cache.Remote;

/// <summary>Somewhere a cache hit's layer blob can come from when the local store lacks it (a registry or a local cache export).</summary>
public interface ILayerSource
{
    /// <summary>Copies the layer blob into the store; false when this source does not have it.</summary>
    Task<bool> TryFetchAsync(Ashlar.Images.Formats.Descriptor layer, Ashlar.Images.Content.IContentStore store, CancellationToken cancellationToken);
}
