using Ashlar.Images.Compression;
using Ashlar.Images.Formats;
using Ashlar.Images.Layers;
using Ashlar.Images.References;
using Ashlar.Images.Store;

namespace Ashlar.Images.Archives;

/// <summary>
/// Makes a one-layer image from a root filesystem tarball, like <c>docker import</c>: the tar (plain, gzip or zstd)
/// becomes the layer unchanged, stored gzip-compressed; the config has the platform, a creation time and one history
/// entry "Imported from SOURCE".
/// </summary>
public static class RootfsImporter
{
    /// <summary>Imports <paramref name="rootfsTar"/>; tags it as <paramref name="reference"/> when given, else leaves it dangling.</summary>
    public static async Task<StoredImage> ImportAsync(ImageStore store, Stream rootfsTar, ImageReference? reference, ImportOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ImportOptions();
        var layer = await LayerBlob.FromTarAsync(store.Content, rootfsTar, options.Compression, cancellationToken);
        var created = options.Created ?? DateTime.UtcNow;
        var platform = options.Platform ?? Platform.Current;
        var config = new ImageConfig
        {
            Created = created,
            Architecture = platform.Architecture,
            OS = platform.OS,
            Variant = platform.Variant,
            Config = options.Config ?? new ContainerConfig(),
            RootFs = new RootFs { DiffIds = [layer.DiffId.ToString()] },
            History = [new HistoryEntry { Created = created, CreatedBy = "", Comment = options.Message ?? $"Imported from {options.Source}" }],
        };
        var image = await store.PutImageAsync(config, [layer.Descriptor], cancellationToken: cancellationToken);
        if (reference is not null) await store.TagAsync(reference, image.Descriptor, cancellationToken);
        else await store.AddDanglingAsync(image.Descriptor, cancellationToken);
        return image;
    }
}
