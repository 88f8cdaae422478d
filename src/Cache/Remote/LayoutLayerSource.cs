using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Cache.Remote;

/// <summary>
/// Layer blobs from an OCI layout directory (<c>--cache-from type=local,src=DIR</c>), copied into the store only
/// when a cache hit needs one. The store verifies the digest, so a damaged file is refused (with a warning) and
/// the step runs instead.
/// </summary>
public sealed class LayoutLayerSource : IRemoteLayerSource
{
    private readonly string _directory;
    private readonly Action<string> _warn;
    private readonly TransferCounter? _counter;

    /// <summary>Blobs under <paramref name="directory"/>/blobs.</summary>
    public LayoutLayerSource(string directory, Action<string> warn, TransferCounter? counter = null)
    {
        _directory = directory;
        _warn = warn;
        _counter = counter;
    }

    /// <inheritdoc />
    public async Task<bool> TryFetchAsync(Descriptor layer, IContentStore store, CancellationToken cancellationToken)
    {
        if (store.Exists(layer.Digest)) return true;
        var digest = layer.Digest;
        var path = Path.Combine(_directory, "blobs", digest.Algorithm, digest.Hex);
        if (!File.Exists(path)) return false;
        try
        {
            await using var blob = File.OpenRead(path);
            await store.WriteAsync(blob, digest, layer.Size, cancellationToken).ConfigureAwait(false);
            _counter?.Downloaded(layer.Size, layer: true);
            return true;
        }
        catch (DigestMismatchException e)
        {
            _warn($"cache layer {path} is damaged ({e.Message}); the step that needs it runs instead");
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _warn($"cache layer {path} cannot be read ({e.Message}); the step that needs it runs instead");
            return false;
        }
    }

    /// <inheritdoc />
    public async Task<LazyBlobSource?> LocateAsync(Descriptor layer, CancellationToken cancellationToken) =>
        await ContainsAsync(layer, cancellationToken).ConfigureAwait(false) ? LazyBlobSource.InLayout(_directory) : null;

    /// <summary>Whether the layout has a file of the blob's size (its digest is checked when it is copied).</summary>
    public Task<bool> ContainsAsync(Descriptor layer, CancellationToken cancellationToken)
    {
        var file = new FileInfo(Path.Combine(_directory, "blobs", layer.Digest.Algorithm, layer.Digest.Hex));
        return Task.FromResult(file.Exists && file.Length == layer.Size);
    }

    /// <inheritdoc />
    public override string ToString() => _directory;
}
