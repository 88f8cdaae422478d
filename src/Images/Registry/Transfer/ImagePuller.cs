using System.Text.Json;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Images.Registry.Transfer;

/// <summary>
/// Pulls one image into a content store: resolves the reference to a manifest (choosing the platform from an
/// index), fetches the config and layers the store lacks, several at once, and stores the manifest last, so a
/// manifest in the store always has its blobs beside it.
/// </summary>
internal sealed class ImagePuller(RemoteRepository repository, IContentStore store, int maxConcurrent, IProgress<TransferProgress>? progress)
{
    // platformAsked: the platform was asked for (--platform), so a single-platform image must be that platform.
    public async Task<PullResult> PullAsync(string reference, Platform platform, bool platformAsked, CancellationToken cancellationToken)
    {
        var top = await repository.GetManifestAsync(reference, cancellationToken).ConfigureAwait(false);
        var manifest = top;
        if (top.IsIndex)
        {
            var entries = top.Manifests.Where(m => m.Os is not null && m.Architecture is not null)
                .Select(m => Descriptor.For(m.MediaType, m.Digest, m.Size) with { Platform = new Platform { OS = m.Os!, Architecture = m.Architecture!, Variant = m.Variant } });
            var choice = platform.SelectFrom(entries);
            if (choice is null)
            {
                var offered = string.Join(", ", top.Manifests.Where(m => m.Os is not null)
                    .Select(m => m.Variant is null ? $"{m.Os}/{m.Architecture}" : $"{m.Os}/{m.Architecture}/{m.Variant}").Distinct());
                throw new RegistryException($"no manifest for platform {platform} in {Display(reference)} (it has: {(offered.Length == 0 ? "none" : offered)}); choose one with --platform", "MANIFEST_UNKNOWN");
            }
            manifest = await repository.GetManifestAsync(choice.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            if (manifest.IsIndex)
                throw new RegistryException($"unsupported manifest for {Display(reference)}: the {platform} entry {choice.Digest} is itself an index", "MANIFEST_INVALID");
        }
        var blobs = manifest.Blobs.ToList();
        long downloaded = 0;
        if (!top.IsIndex && platformAsked)
        {
            // The config says the platform; fetch it first so a wrong image costs no layer downloads.
            downloaded += await FetchBlobsAsync([manifest.Config!], cancellationToken).ConfigureAwait(false);
            blobs.Remove(manifest.Config!);
            var actual = await ConfigPlatformAsync(manifest.Config!.Digest, reference, cancellationToken).ConfigureAwait(false);
            if (!platform.Matches(actual))
                throw new RegistryException($"{Display(reference)} is a single-platform image for {actual}, not {platform}", "MANIFEST_UNKNOWN");
        }

        downloaded += await FetchBlobsAsync(blobs, cancellationToken).ConfigureAwait(false);
        await StoreAsync(manifest, cancellationToken).ConfigureAwait(false);
        if (top != manifest) await StoreAsync(top, cancellationToken).ConfigureAwait(false);

        return new PullResult(top.Digest, manifest.Digest, manifest.MediaType, manifest.Config!.Digest,
            manifest.Layers.Select(l => l.Digest).ToList(), downloaded, top.IsIndex ? top.MediaType : null);
    }

    async Task<long> FetchBlobsAsync(IEnumerable<ContentDescriptor> blobs, CancellationToken cancellationToken)
    {
        long downloaded = 0;
        var unique = blobs.DistinctBy(blob => blob.Digest).ToList();
        await Parallel.ForEachAsync(unique, new ParallelOptions { MaxDegreeOfParallelism = maxConcurrent, CancellationToken = cancellationToken },
            async (blob, token) =>
            {
                if (store.Exists(blob.Digest))
                {
                    progress?.Report(new TransferProgress(blob.Digest, blob.Size, TransferState.AlreadyExists, blob.MediaType));
                    return;
                }
                await repository.FetchBlobAsync(blob, store, token).ConfigureAwait(false);
                Interlocked.Add(ref downloaded, blob.Size);
                progress?.Report(new TransferProgress(blob.Digest, blob.Size, TransferState.Downloaded, blob.MediaType));
            }).ConfigureAwait(false);
        return downloaded;
    }

    async Task<Platform> ConfigPlatformAsync(Digest config, string reference, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = store.OpenRead(config);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            string Field(string name) => document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
            return new Platform { OS = Field("os"), Architecture = Field("architecture"), Variant = Field("variant") is { Length: > 0 } v ? v : null };
        }
        catch (JsonException e)
        {
            throw new RegistryException($"malformed image config {config} for {Display(reference)}: {e.Message}", "MANIFEST_INVALID", inner: e);
        }
    }

    async Task StoreAsync(ManifestContent manifest, CancellationToken cancellationToken)
    {
        if (store.Exists(manifest.Digest)) return;
        using var bytes = new MemoryStream(manifest.Bytes, writable: false);
        await store.WriteAsync(bytes, manifest.Digest, manifest.Bytes.Length, cancellationToken).ConfigureAwait(false);
    }

    string Display(string reference) => Digest.TryParse(reference, out _) ? $"{repository}@{reference}" : $"{repository}:{reference}";
}
