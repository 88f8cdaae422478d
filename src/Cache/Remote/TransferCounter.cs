namespace Ashlar.Cache.Remote;

/// <summary>Bytes the shared cache moved over the network or to/from a layout, for reports (thread-safe).</summary>
public sealed class TransferCounter
{
    private long _downloaded;
    private long _uploaded;
    private long _blobsDownloaded;
    private long _blobsUploaded;

    /// <summary>Bytes read: manifests, configs and layer blobs.</summary>
    public long BytesDownloaded => Interlocked.Read(ref _downloaded);

    /// <summary>Bytes written: manifests, configs and layer blobs.</summary>
    public long BytesUploaded => Interlocked.Read(ref _uploaded);

    /// <summary>Layer blobs fetched.</summary>
    public long LayersDownloaded => Interlocked.Read(ref _blobsDownloaded);

    /// <summary>Layer blobs uploaded (not counting those the target had or mounted).</summary>
    public long LayersUploaded => Interlocked.Read(ref _blobsUploaded);

    internal void Downloaded(long bytes, bool layer = false)
    {
        Interlocked.Add(ref _downloaded, bytes);
        if (layer) Interlocked.Increment(ref _blobsDownloaded);
    }

    internal void Uploaded(long bytes, bool layer = false)
    {
        Interlocked.Add(ref _uploaded, bytes);
        if (layer) Interlocked.Increment(ref _blobsUploaded);
    }
}
