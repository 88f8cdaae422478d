using Ashlar.Builder.Solving;
using Ashlar.Images.Formats;
using Ashlar.Images.Store;

namespace Ashlar.Builder.Exporting;

/// <summary>Writes a stage's result as an OCI image (config with Docker's fields, manifest) into the store's blobs.</summary>
internal static class ImageWriter
{
    public static async Task<StoredBuild> WriteAsync(ImageStore store, StageResult result, DateTime created,
        IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var config = result.Image.ToConfig(created, labels);
        var configDescriptor = await store.PutConfigAsync(config, MediaTypes.OciConfig, cancellationToken);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = configDescriptor,
            Layers = result.Image.Layers,
        };
        var manifestDescriptor = await store.PutManifestAsync(manifest, cancellationToken);
        return new StoredBuild(manifestDescriptor, configDescriptor, manifest);
    }
}
