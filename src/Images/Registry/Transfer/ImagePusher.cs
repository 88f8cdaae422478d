using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Images.Registry.Transfer;

/// <summary>
/// Pushes an image from a content store: every blob first (skipping those the registry has, mounting from a
/// sibling repository when one is known, several at once), then the manifest, so the registry never holds a
/// manifest whose blobs are missing. An index is pushed with each of its manifests.
/// </summary>
internal sealed class ImagePusher(RemoteRepository repository, IContentStore store, int maxConcurrent, long? chunkSize,
    string? mountFrom, IProgress<TransferProgress>? progress)
{
    long uploaded;

    /// <summary>The image store's lazy layers, placed by HEAD or mount before their bytes are fetched; null for a plain content store.</summary>
    public LazyBlobs? Lazy { get; init; }

    /// <summary>The client that fetches a lazy layer that must be uploaded after all.</summary>
    public RegistryClient? Client { get; init; }

    public async Task<PushResult> PushAsync(Digest manifestDigest, string? tag, CancellationToken cancellationToken)
    {
        var top = await ReadManifestAsync(manifestDigest, cancellationToken).ConfigureAwait(false);
        if (top.IsIndex)
        {
            // A pulled multi-platform image holds only the platforms that were pulled. The index still goes up
            // unchanged (its digest kept, as docker's containerd store does) when the registry has the others, e.g.
            // pushing back where it came from; otherwise only a stored platform's manifest can be pushed.
            foreach (var entry in top.Manifests.Where(e => !store.Exists(e.Digest)))
            {
                if (await repository.HeadManifestAsync(entry.Digest.ToString(), cancellationToken).ConfigureAwait(false) is null)
                    return await PushAsync(StoredPlatform(top), tag, cancellationToken).ConfigureAwait(false);
            }
            foreach (var entry in top.Manifests.Where(e => store.Exists(e.Digest)))
            {
                var child = await ReadManifestAsync(entry.Digest, cancellationToken).ConfigureAwait(false);
                await PushBlobsAsync(child.Blobs, cancellationToken).ConfigureAwait(false);
                await repository.PutManifestAsync(child.Digest.ToString(), child.Bytes, child.MediaType, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await PushBlobsAsync(top.Blobs, cancellationToken).ConfigureAwait(false);
        }
        var digest = await repository.PutManifestAsync(tag ?? top.Digest.ToString(), top.Bytes, top.MediaType, cancellationToken).ConfigureAwait(false);
        return new PushResult(digest, top.Bytes.Length, uploaded);
    }

    /// <summary>The stored entry of a partly stored index for this machine's platform, else the first stored one.</summary>
    Digest StoredPlatform(ManifestContent index)
    {
        var stored = index.Manifests.Where(e => store.Exists(e.Digest)).ToList();
        if (stored.Count == 0)
            throw new RegistryException($"cannot push to {repository}: none of the manifests of index {index.Digest} is in the local store");
        var current = Formats.Platform.Current;
        return (stored.FirstOrDefault(e => e.Os == current.OS && e.Architecture == current.Architecture) ?? stored[0]).Digest;
    }

    async Task<ManifestContent> ReadManifestAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (!store.Exists(digest))
            throw new RegistryException($"cannot push to {repository}: manifest {digest} is not in the local store");
        await using var stream = store.OpenRead(digest);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return ManifestContent.Parse(buffer.ToArray(), null, $"{digest} (local store)");
    }

    async Task PushBlobsAsync(IEnumerable<ContentDescriptor> blobs, CancellationToken cancellationToken)
    {
        var unique = blobs.DistinctBy(blob => blob.Digest).ToList();
        var lazy = new Dictionary<Digest, LazyBlob>();
        foreach (var blob in unique)
        {
            if (store.SizeOf(blob.Digest) is null && Lazy?.Find(blob.Digest) is { } record)
            {
                lazy[blob.Digest] = record;
                continue;
            }
            if (store.SizeOf(blob.Digest) is not { } size)
                throw new RegistryException($"cannot push to {repository}: blob {blob.Digest} is not in the local store");
            if (size != blob.Size)
                throw new RegistryException($"cannot push to {repository}: blob {blob.Digest} is {size} bytes in the store, but its manifest says {blob.Size}");
        }

        await Parallel.ForEachAsync(unique, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrent, CancellationToken = cancellationToken },
            async (blob, token) =>
            {
                BlobPushOutcome? placed = lazy.TryGetValue(blob.Digest, out var record)
                    ? await PlaceLazyAsync(blob, record, token).ConfigureAwait(false)
                    : null;
                var outcome = placed ?? await repository.PushBlobAsync(blob, () => store.OpenRead(blob.Digest), mountFrom, chunkSize, token).ConfigureAwait(false);
                if (outcome == BlobPushOutcome.Uploaded) Interlocked.Add(ref uploaded, blob.Size);
                progress?.Report(new TransferProgress(blob.Digest, blob.Size, outcome switch
                {
                    BlobPushOutcome.AlreadyPresent => TransferState.AlreadyExists,
                    BlobPushOutcome.Mounted => TransferState.Mounted,
                    _ => TransferState.Pushed,
                }, blob.MediaType));
            }).ConfigureAwait(false);
    }

    /// <summary>
    /// A lazy layer without its bytes where possible: the destination has it already, or mounts it from the repository
    /// of its record on the same registry. Otherwise it is fetched into the store (null: upload it as any other).
    /// </summary>
    async Task<BlobPushOutcome?> PlaceLazyAsync(ContentDescriptor blob, LazyBlob record, CancellationToken cancellationToken)
    {
        if (await repository.BlobExistsAsync(blob.Digest, cancellationToken).ConfigureAwait(false))
            return BlobPushOutcome.AlreadyPresent;
        foreach (var source in record.Sources.Where(s => s.Registry == repository.Host && s.Repository != repository.Name))
            if (await repository.TryMountAsync(blob.Digest, source.Repository!, cancellationToken).ConfigureAwait(false))
                return BlobPushOutcome.Mounted;
        await Lazy!.EnsureAsync(Descriptor.For(blob.MediaType, blob.Digest, blob.Size), record.Image, Client, cancellationToken).ConfigureAwait(false);
        return null;
    }
}
