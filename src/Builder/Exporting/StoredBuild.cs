using Ashlar.Images.Formats;

namespace Ashlar.Builder.Exporting;

/// <summary>The built image as blobs in the store: manifest and config descriptors and the layers.</summary>
internal sealed record StoredBuild(Descriptor Manifest, Descriptor Config, ImageManifest ManifestDocument);
