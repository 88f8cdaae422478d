using Ashlar.Images.Compression;
using Ashlar.Images.Content;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>Unpacked sizes of listed images, each layer measured once (<see cref="LayerSize"/>).</summary>
internal sealed class ImagesUnpackedSizes(ImageStore store)
{
    private readonly Dictionary<Digest, long> _layers = [];

    /// <summary>The image's config plus its layers uncompressed; the stored size for an image that is not all there.</summary>
    public async Task<long> OfAsync(ImageSummary row, CancellationToken cancellationToken)
    {
        try
        {
            var image = await store.LoadImageAsync(row.Target, null, cancellationToken);
            var total = image.Manifest.Config.Size;
            foreach (var layer in image.Manifest.Layers)
            {
                if (!_layers.TryGetValue(layer.Digest, out var size))
                {
                    await using var blob = store.Content.OpenRead(layer.Digest);
                    _layers[layer.Digest] = size = await LayerSize.UncompressedAsync(blob, cancellationToken);
                }
                total += size;
            }
            return total;
        }
        catch (Exception e) when (e is BlobNotFoundException or ImageNotFoundException or InvalidDataException or IOException)
        {
            return row.Size;
        }
    }
}
