namespace Ashlar.Images.Store;

/// <summary>The numbers behind <c>ashlar du</c>.</summary>
/// <param name="Images">Images in index.json (tagged and dangling, counted once per manifest).</param>
/// <param name="TaggedImages">Images with at least one reference.</param>
/// <param name="ImagesSize">Bytes of blobs referenced by any image.</param>
/// <param name="ReclaimableImagesSize">Bytes only dangling images use.</param>
/// <param name="Blobs">Blobs in the store.</param>
/// <param name="ReferencedBlobs">Blobs some image references.</param>
/// <param name="BlobsSize">Bytes of all blobs.</param>
/// <param name="UnreferencedBlobsSize">Bytes of blobs no image references.</param>
public sealed record DiskUsage(int Images, int TaggedImages, long ImagesSize, long ReclaimableImagesSize, int Blobs, int ReferencedBlobs, long BlobsSize, long UnreferencedBlobsSize);
