using System.Formats.Tar;
using Ashlar.Images.Layers;
using Ashlar.Images.Store;

namespace Ashlar.Builder.Exporting;

/// <summary><c>--output type=local|tar</c>: the final stage's files, its layers applied in order.</summary>
internal static class FilesystemWriter
{
    public static async Task WriteDirectoryAsync(ImageStore store, StoredBuild build, string destination, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(destination);
        foreach (var layer in build.ManifestDocument.Layers)
        {
            await store.Lazy.EnsureAsync(layer, cancellationToken: cancellationToken); // a lazy layer is fetched now
            await using var blob = store.Content.OpenRead(layer.Digest);
            await LayerUnpacker.UnpackAsync(blob, destination, new UnpackOptions { Whiteouts = WhiteoutMode.Apply }, cancellationToken);
        }
    }

    public static async Task WriteTarAsync(ImageStore store, StoredBuild build, string scratch, Stream output, CancellationToken cancellationToken)
    {
        var tree = Path.Combine(scratch, "export-" + Guid.NewGuid().ToString("N"));
        try
        {
            await WriteDirectoryAsync(store, build, tree, cancellationToken);
            await TarFile.CreateFromDirectoryAsync(tree, output, includeBaseDirectory: false, cancellationToken);
        }
        finally
        {
            if (Directory.Exists(tree)) Directory.Delete(tree, recursive: true);
        }
    }
}
