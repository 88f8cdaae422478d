using Ashlar.Images.Content;

namespace Ashlar.Images.Registry.Transfer;

/// <summary>What a pull stored.</summary>
/// <param name="Digest">What the reference resolved to in the registry (an index's digest for a multi-platform image): docker's "Digest:" line.</param>
/// <param name="ManifestDigest">The image manifest for the chosen platform, now in the store.</param>
/// <param name="ManifestMediaType">That manifest's media type (OCI or Docker schema 2).</param>
/// <param name="ConfigDigest">The image config, in the store: docker's image id.</param>
/// <param name="Layers">The layer digests, base first, all in the store.</param>
/// <param name="DownloadedBytes">Bytes fetched for blobs the store did not have.</param>
/// <param name="IndexMediaType">The media type of the index <see cref="Digest"/> names, or null when it names the manifest itself.</param>
public sealed record PullResult(Digest Digest, Digest ManifestDigest, string ManifestMediaType, Digest ConfigDigest,
    IReadOnlyList<Digest> Layers, long DownloadedBytes, string? IndexMediaType = null);

/// <summary>What a push sent.</summary>
/// <param name="Digest">The digest of the manifest (or index) the registry now holds under the tag.</param>
/// <param name="Size">That manifest's size in bytes.</param>
/// <param name="UploadedBytes">Bytes uploaded for blobs the registry did not have.</param>
public sealed record PushResult(Digest Digest, long Size, long UploadedBytes);
