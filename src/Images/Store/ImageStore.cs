using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Layers;
using Ashlar.Images.References;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Images.Store;

/// <summary>
/// The embedded image store. Its root is an OCI image layout (<c>oci-layout</c>, <c>index.json</c>,
/// <c>blobs/sha256</c>) that umoci and skopeo read directly: every tagged image is an index.json entry annotated
/// with <c>org.opencontainers.image.ref.name</c> = the full reference (e.g. <c>docker.io/library/busybox:latest</c>);
/// an entry without that annotation is a dangling image. index.json only changes under an exclusive file lock and by
/// atomic rename, so several ashlar processes can share a store.
/// </summary>
public sealed class ImageStore
{
    private const string IndexFileName = "index.json";
    private const string LockFileName = "index.lock";

    private ImageStore(string root)
    {
        Root = root;
        Content = new FileContentStore(root);
        Lazy = new LazyBlobs(Content);
    }

    /// <summary>The store's root directory.</summary>
    public string Root { get; }

    /// <summary>The blobs.</summary>
    public FileContentStore Content { get; }

    /// <summary>Layers images reference whose bytes are still remote, fetched when needed (see <see cref="LazyBlobs"/>).</summary>
    public LazyBlobs Lazy { get; }

    /// <summary>Opens the store at <paramref name="root"/> (default: <see cref="StoreLocation.Resolve"/>), creating the layout if needed.</summary>
    public static ImageStore Open(string? root = null)
    {
        var path = StoreLocation.Resolve(root);
        Directory.CreateDirectory(path);
        var store = new ImageStore(path);
        var layout = Path.Combine(path, "oci-layout");
        if (!File.Exists(layout))
            WriteAtomically(layout, JsonSerializer.SerializeToUtf8Bytes(new OciLayoutFile(), ImageJsonContext.Relaxed.OciLayoutFile));
        var index = Path.Combine(path, IndexFileName);
        if (!File.Exists(index))
        {
            // Under the lock, so a process that just created and tagged cannot be overwritten by an empty index.
            using var _ = FileLock.AcquireAsync(Path.Combine(path, LockFileName), CancellationToken.None).GetAwaiter().GetResult();
            if (!File.Exists(index))
                WriteAtomically(index, JsonSerializer.SerializeToUtf8Bytes(new ImageIndex { MediaType = MediaTypes.OciIndex }, ImageJsonContext.Relaxed.ImageIndex));
        }
        return store;
    }

    // ---- writing content ----

    /// <summary>Stores a JSON document (manifest, index or config) and returns its descriptor.</summary>
    public async Task<Descriptor> PutJsonAsync<T>(T value, JsonTypeInfo<T> typeInfo, string mediaType, CancellationToken cancellationToken = default)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, typeInfo);
        return await PutBytesAsync(bytes, mediaType, null, cancellationToken);
    }

    /// <summary>Stores an image manifest (media type from the manifest, OCI when absent).</summary>
    public Task<Descriptor> PutManifestAsync(ImageManifest manifest, CancellationToken cancellationToken = default) =>
        PutJsonAsync(manifest, ImageJsonContext.Relaxed.ImageManifest, manifest.MediaType ?? MediaTypes.OciManifest, cancellationToken);

    /// <summary>Stores an image index.</summary>
    public Task<Descriptor> PutIndexAsync(ImageIndex index, CancellationToken cancellationToken = default) =>
        PutJsonAsync(index, ImageJsonContext.Relaxed.ImageIndex, index.MediaType ?? MediaTypes.OciIndex, cancellationToken);

    /// <summary>Stores an image config.</summary>
    public Task<Descriptor> PutConfigAsync(ImageConfig config, string mediaType = MediaTypes.OciConfig, CancellationToken cancellationToken = default) =>
        PutJsonAsync(config, ImageJsonContext.Relaxed.ImageConfig, mediaType, cancellationToken);

    /// <summary>
    /// Stores raw bytes as they are (a manifest fetched from a registry must keep its exact bytes, or its digest
    /// changes). Verified against <paramref name="expected"/> when given.
    /// </summary>
    public async Task<Descriptor> PutBytesAsync(ReadOnlyMemory<byte> bytes, string mediaType, Digest? expected = null, CancellationToken cancellationToken = default)
    {
        var (digest, size) = await Content.WriteAsync(bytes, expected, cancellationToken);
        return Descriptor.For(mediaType, digest, size);
    }

    /// <summary>Streams a layer blob (compressed as its media type says) into the store.</summary>
    public async Task<Descriptor> PutLayerAsync(Stream blob, string mediaType, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        var (digest, size) = await Content.WriteAsync(blob, expected, expectedSize, cancellationToken);
        return Descriptor.For(mediaType, digest, size);
    }

    /// <summary>
    /// Stores an image made of <paramref name="layers"/> (in the store or recorded as lazy, bottom first) and
    /// <paramref name="config"/> (whose rootfs.diff_ids must list one DiffID per layer): config, then an OCI manifest.
    /// The image is not named; follow with <see cref="TagAsync"/> or <see cref="AddDanglingAsync"/>.
    /// </summary>
    public async Task<StoredImage> PutImageAsync(ImageConfig config, IReadOnlyList<Descriptor> layers, IReadOnlyDictionary<string, string>? annotations = null, CancellationToken cancellationToken = default)
    {
        if (layers.Count != config.RootFs.DiffIds.Count)
            throw new ArgumentException($"the config lists {config.RootFs.DiffIds.Count} diff_ids for {layers.Count} layers", nameof(config));
        foreach (var layer in layers)
            if (!Content.Exists(layer.Digest) && !Lazy.IsLazy(layer.Digest)) throw new BlobNotFoundException(layer.Digest);
        var configDescriptor = await PutConfigAsync(config, cancellationToken: cancellationToken);
        var manifest = new ImageManifest { MediaType = MediaTypes.OciManifest, Config = configDescriptor, Layers = layers, Annotations = annotations };
        var descriptor = await PutManifestAsync(manifest, cancellationToken);
        return new StoredImage(descriptor, manifest, config);
    }

    // ---- references ----

    /// <summary>
    /// Points <paramref name="reference"/> at a stored manifest or index. An image that loses its last reference this
    /// way stays as a dangling image (docker's &lt;none&gt;), as when a rebuild takes over a tag.
    /// </summary>
    public async Task TagAsync(ImageReference reference, Descriptor target, CancellationToken cancellationToken = default)
    {
        if (!Content.Exists(target.Digest)) throw new BlobNotFoundException(target.Digest);
        var name = reference.ToString();
        await UpdateIndexAsync(entries =>
        {
            var previous = entries.FindIndex(e => e.Annotation(AnnotationKeys.RefName) == name);
            if (previous >= 0)
            {
                var old = entries[previous];
                entries.RemoveAt(previous);
                if (old.DigestText != target.DigestText && !entries.Any(e => e.DigestText == old.DigestText))
                    entries.Add(Untagged(old));
            }
            // A dangling entry for the same content is now named; drop it.
            entries.RemoveAll(e => e.DigestText == target.DigestText && e.Annotation(AnnotationKeys.RefName) is null);
            entries.Add(Tagged(target, name));
            return true;
        }, cancellationToken);
    }

    /// <summary>Records a stored manifest as an image without a name (e.g. a build without <c>-t</c>).</summary>
    public Task AddDanglingAsync(Descriptor target, CancellationToken cancellationToken = default) =>
        UpdateIndexAsync(entries =>
        {
            if (entries.Any(e => e.DigestText == target.DigestText)) return false;
            entries.Add(Untagged(target));
            return true;
        }, cancellationToken);

    /// <summary>Removes one reference; returns false when it was not there. The image itself is left (dangling when this was its last name).</summary>
    public async Task<bool> UntagAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        var name = reference.ToString();
        var removed = false;
        await UpdateIndexAsync(entries =>
        {
            var i = entries.FindIndex(e => e.Annotation(AnnotationKeys.RefName) == name);
            if (i < 0) return false;
            var old = entries[i];
            entries.RemoveAt(i);
            if (!entries.Any(e => e.DigestText == old.DigestText)) entries.Add(Untagged(old));
            removed = true;
            return true;
        }, cancellationToken);
        return removed;
    }

    /// <summary>The manifest (or index) a reference names, or null. A digest reference resolves to that content when stored.</summary>
    public async Task<Descriptor?> ResolveAsync(ImageReference reference, CancellationToken cancellationToken = default)
    {
        var entries = await ReadIndexAsync(cancellationToken);
        var name = reference.ToString();
        var tagged = entries.FirstOrDefault(e => e.Annotation(AnnotationKeys.RefName) == name);
        if (tagged is not null) return Plain(tagged);
        if (reference.Digest is { } digest)
        {
            var known = entries.FirstOrDefault(e => e.DigestText == digest.ToString());
            if (known is not null) return Plain(known);
            if (Content.Exists(digest))
                return Descriptor.For(await SniffMediaTypeAsync(digest, cancellationToken), digest, Content.SizeOf(digest)!.Value);
        }
        return null;
    }

    /// <summary>
    /// Finds an image the way docker's commands do: a reference first (<c>busybox</c>, <c>app:1</c>), then an image ID
    /// (<c>sha256:...</c>, or a unique hex prefix of the config or manifest digest). Throws <see cref="ImageNotFoundException"/>.
    /// </summary>
    public async Task<Descriptor> FindAsync(string nameOrId, CancellationToken cancellationToken = default)
    {
        if (ImageReference.TryParse(nameOrId, out var reference) && await ResolveAsync(reference!, cancellationToken) is { } byName)
            return byName;
        var matches = await MatchIdAsync(nameOrId, cancellationToken);
        if (matches.Count > 1) throw new ImageNotFoundException($"{nameOrId} (ambiguous: it prefixes {matches.Count} image IDs)");
        return matches.Count == 1 ? matches[0].Target : throw new ImageNotFoundException(nameOrId);
    }

    private async Task<List<ImageSummary>> MatchIdAsync(string text, CancellationToken cancellationToken)
    {
        var hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex.Length == 0 || !hex.All(char.IsAsciiHexDigitLower)) return [];
        var images = await ListAsync(cancellationToken);
        return images
            .Where(i => i.Id.Hex.StartsWith(hex, StringComparison.Ordinal) || i.Target.Digest.Hex.StartsWith(hex, StringComparison.Ordinal))
            .DistinctBy(i => i.Target.DigestText)
            .ToList();
    }

    // ---- reading ----

    /// <summary>Every image: one row per reference, plus one per dangling image, newest first.</summary>
    public async Task<IReadOnlyList<ImageSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var entries = await ReadIndexAsync(cancellationToken);
        var rows = new List<ImageSummary>();
        var details = new Dictionary<string, (Digest Id, DateTime? Created, long Size)>();
        foreach (var entry in entries)
        {
            if (!details.TryGetValue(entry.DigestText, out var detail))
            {
                detail = await DescribeAsync(entry, cancellationToken);
                details[entry.DigestText] = detail;
            }
            var refName = entry.Annotation(AnnotationKeys.RefName);
            ImageReference? reference = null;
            if (refName is not null && ImageReference.TryParse(refName, out var parsed)) reference = parsed;
            rows.Add(new ImageSummary(reference, Plain(entry), detail.Id, detail.Created, detail.Size));
        }
        return rows.OrderByDescending(r => r.Created ?? DateTime.MinValue).ThenBy(r => r.Reference?.ToString(), StringComparer.Ordinal).ToList();
    }

    private async Task<(Digest Id, DateTime? Created, long Size)> DescribeAsync(Descriptor entry, CancellationToken cancellationToken)
    {
        try
        {
            var image = await LoadImageAsync(entry, null, cancellationToken);
            var size = image.Manifest.Config.Size + image.Manifest.Layers.Sum(l => l.Size);
            var id = MediaTypes.IsIndex(entry.MediaType) ? entry.Digest : image.Id;
            return (id, image.Config.Created, size);
        }
        catch (Exception e) when (e is BlobNotFoundException or InvalidDataException or JsonException or ImageNotFoundException)
        {
            // A partially present image still lists, so it can be removed.
            return (entry.Digest, null, 0);
        }
    }

    /// <summary>
    /// Loads an image: the manifest, or for an index the manifest for <paramref name="platform"/> (default: this
    /// machine's), and its config.
    /// </summary>
    public async Task<StoredImage> LoadImageAsync(Descriptor target, Platform? platform = null, CancellationToken cancellationToken = default)
    {
        var mediaType = target.MediaType;
        if (MediaTypes.IsIndex(mediaType))
        {
            var index = await LoadIndexAsync(target.Digest, cancellationToken);
            var wanted = platform ?? Platform.Current;
            var chosen = wanted.SelectFrom(index.Manifests.Where(m => Content.Exists(m.Digest)))
                ?? throw new ImageNotFoundException($"{target.Digest} for platform {wanted} (the index has {string.Join(", ", index.Manifests.Select(m => m.Platform?.ToString() ?? "?"))}; stored: {index.Manifests.Count(m => Content.Exists(m.Digest))})");
            return await LoadImageAsync(chosen, platform, cancellationToken);
        }
        var manifest = await LoadManifestAsync(target.Digest, cancellationToken);
        var config = await LoadConfigAsync(manifest.Config.Digest, cancellationToken);
        return new StoredImage(target, manifest, config);
    }

    /// <summary>Finds and loads an image by reference or ID (see <see cref="FindAsync"/>).</summary>
    public async Task<StoredImage> LoadImageAsync(string nameOrId, Platform? platform = null, CancellationToken cancellationToken = default) =>
        await LoadImageAsync(await FindAsync(nameOrId, cancellationToken), platform, cancellationToken);

    /// <summary>Reads a stored image manifest.</summary>
    public Task<ImageManifest> LoadManifestAsync(Digest digest, CancellationToken cancellationToken = default) =>
        LoadJsonAsync(digest, ImageJsonContext.Relaxed.ImageManifest, "manifest", cancellationToken);

    /// <summary>Reads a stored image index / manifest list.</summary>
    public Task<ImageIndex> LoadIndexAsync(Digest digest, CancellationToken cancellationToken = default) =>
        LoadJsonAsync(digest, ImageJsonContext.Relaxed.ImageIndex, "image index", cancellationToken);

    /// <summary>Reads a stored image config.</summary>
    public Task<ImageConfig> LoadConfigAsync(Digest digest, CancellationToken cancellationToken = default) =>
        LoadJsonAsync(digest, ImageJsonContext.Relaxed.ImageConfig, "image config", cancellationToken);

    private async Task<T> LoadJsonAsync<T>(Digest digest, JsonTypeInfo<T> typeInfo, string what, CancellationToken cancellationToken)
    {
        var bytes = await Content.ReadAllBytesAsync(digest, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(bytes, typeInfo) ?? throw new InvalidDataException($"{what} {digest} is JSON null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} {digest} is not valid: {e.Message}", e);
        }
    }

    private async Task<string> SniffMediaTypeAsync(Digest digest, CancellationToken cancellationToken)
    {
        var probe = await LoadJsonAsync(digest, ImageJsonContext.Relaxed.ManifestProbe, "manifest", cancellationToken);
        return probe.EffectiveMediaType ?? throw new InvalidDataException($"{digest} is neither an image manifest nor an index");
    }

    /// <summary>The references (full form) that name a manifest or index digest.</summary>
    public async Task<IReadOnlyList<ImageReference>> ReferencesToAsync(Digest target, CancellationToken cancellationToken = default)
    {
        var entries = await ReadIndexAsync(cancellationToken);
        return entries.Where(e => e.DigestText == target.ToString())
            .Select(e => e.Annotation(AnnotationKeys.RefName))
            .Where(n => n is not null && ImageReference.TryParse(n, out _))
            .Select(n => ImageReference.Parse(n!))
            .ToList();
    }

    // ---- removing ----

    /// <summary>
    /// docker rmi: a reference is untagged, and the image deleted when that was its last reference; an ID deletes the
    /// image with all its references, which needs <paramref name="force"/> when they span several repositories.
    /// Blobs are reclaimed by <see cref="PruneAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<RemovalEvent>> RemoveAsync(string nameOrId, bool force = false, CancellationToken cancellationToken = default)
    {
        var events = new List<RemovalEvent>();
        if (ImageReference.TryParse(nameOrId, out var reference) && reference!.Digest is null)
        {
            var name = reference.ToString();
            var found = false;
            Digest? deleted = null;
            var images = await ListAsync(cancellationToken);
            await UpdateIndexAsync(entries =>
            {
                var i = entries.FindIndex(e => e.Annotation(AnnotationKeys.RefName) == name);
                if (i < 0) return false;
                found = true;
                var target = entries[i].DigestText;
                entries.RemoveAt(i);
                if (!entries.Any(e => e.DigestText == target && e.Annotation(AnnotationKeys.RefName) is not null))
                {
                    entries.RemoveAll(e => e.DigestText == target);
                    deleted = images.FirstOrDefault(im => im.Target.DigestText == target)?.Id ?? Digest.Parse(target);
                }
                return true;
            }, cancellationToken);
            if (found)
            {
                events.Add(new RemovalEvent("Untagged", reference.Familiar));
                if (deleted is { } id) events.Add(new RemovalEvent("Deleted", id.ToString()));
                return events;
            }
        }

        var target = await FindAsync(nameOrId, cancellationToken);
        var references = await ReferencesToAsync(target.Digest, cancellationToken);
        if (!force && references.Select(r => r.Name).Distinct().Count() > 1)
            throw new ImageConflictException($"conflict: unable to delete {ShortId(nameOrId, target)} (must be forced) - image is referenced in multiple repositories");
        var summary = (await ListAsync(cancellationToken)).First(i => i.Target.DigestText == target.DigestText);
        await UpdateIndexAsync(entries => entries.RemoveAll(e => e.DigestText == target.DigestText) > 0, cancellationToken);
        events.AddRange(references.Select(r => new RemovalEvent("Untagged", r.Familiar)));
        events.Add(new RemovalEvent("Deleted", summary.Id.ToString()));
        return events;
    }

    private static string ShortId(string asked, Descriptor target) =>
        asked.All(char.IsAsciiHexDigitLower) ? asked : target.Digest.Short;

    /// <summary>
    /// Removes dangling images (when <paramref name="danglingImages"/>), then every blob no remaining image references
    /// (blobs younger than <paramref name="blobGracePeriod"/> are kept: a concurrent build may be about to reference
    /// them), then asks each participant (e.g. the snapshotter) to drop what the remaining images do not need.
    /// </summary>
    public async Task<PruneResult> PruneAsync(bool danglingImages = true, TimeSpan? blobGracePeriod = null, IEnumerable<IPruneParticipant>? participants = null, CancellationToken cancellationToken = default)
    {
        var deletedImages = danglingImages ? await RemoveDanglingAsync(cancellationToken) : [];
        var (live, liveChains) = await MarkAsync(cancellationToken);
        var grace = blobGracePeriod ?? TimeSpan.Zero;
        var deletedBlobs = new List<Digest>();
        long reclaimed = 0;
        foreach (var blob in Content.List().ToList())
        {
            if (live.Contains(blob)) continue;
            var info = new FileInfo(Content.PathOf(blob));
            if (DateTime.UtcNow - info.LastWriteTimeUtc < grace) continue;
            var size = info.Exists ? info.Length : 0;
            if (Content.Delete(blob))
            {
                deletedBlobs.Add(blob);
                reclaimed += size;
            }
        }
        Content.CleanIngest(TimeSpan.FromHours(24));
        Lazy.Collect(live, DateTime.UtcNow - grace);
        foreach (var participant in participants ?? [])
            reclaimed += await participant.PruneAsync(liveChains, cancellationToken);
        return new PruneResult(deletedImages, deletedBlobs, reclaimed);
    }

    /// <summary>Removes every image without a name from index.json; returns their image IDs.</summary>
    internal async Task<List<Digest>> RemoveDanglingAsync(CancellationToken cancellationToken)
    {
        var deletedImages = new List<Digest>();
        var images = await ListAsync(cancellationToken);
        await UpdateIndexAsync(entries =>
        {
            var dangling = entries.Where(e => e.Annotation(AnnotationKeys.RefName) is null).ToList();
            foreach (var entry in dangling)
            {
                entries.Remove(entry);
                deletedImages.Add(images.FirstOrDefault(i => i.Target.DigestText == entry.DigestText)?.Id ?? entry.Digest);
            }
            return dangling.Count > 0;
        }, cancellationToken);
        return deletedImages;
    }

    /// <summary>Removes the index.json entries pointing at <paramref name="digest"/> (check --repair of a broken image).</summary>
    internal Task RemoveEntriesAsync(string digest, CancellationToken cancellationToken) =>
        UpdateIndexAsync(entries => entries.RemoveAll(e => e.DigestText == digest) > 0, cancellationToken);

    /// <summary>What <c>ashlar du</c> reports.</summary>
    public async Task<DiskUsage> DiskUsageAsync(CancellationToken cancellationToken = default)
    {
        var entries = await ReadIndexAsync(cancellationToken);
        var byDigest = entries.GroupBy(e => e.DigestText).ToList();
        var tagged = byDigest.Count(g => g.Any(e => e.Annotation(AnnotationKeys.RefName) is not null));
        var (live, _) = await MarkAsync(cancellationToken);
        var taggedLive = await MarkAsync(cancellationToken, onlyTagged: true);
        long blobsSize = 0, liveSize = 0, taggedSize = 0;
        int blobs = 0, referenced = 0;
        foreach (var blob in Content.List())
        {
            var size = Content.SizeOf(blob) ?? 0;
            blobs++;
            blobsSize += size;
            if (live.Contains(blob))
            {
                liveSize += size;
                referenced++;
            }
            if (taggedLive.Live.Contains(blob)) taggedSize += size;
        }
        return new DiskUsage(byDigest.Count, tagged, liveSize, liveSize - taggedSize, blobs, referenced, blobsSize, blobsSize - liveSize);
    }

    // Every blob reachable from index.json, and the chain IDs of every layer prefix of every image.
    internal async Task<(HashSet<Digest> Live, HashSet<Digest> LiveChains)> MarkAsync(CancellationToken cancellationToken, bool onlyTagged = false)
    {
        var live = new HashSet<Digest>();
        var chains = new HashSet<Digest>();
        var pending = new Stack<Descriptor>((await ReadIndexAsync(cancellationToken))
            .Where(e => !onlyTagged || e.Annotation(AnnotationKeys.RefName) is not null));
        while (pending.TryPop(out var descriptor))
        {
            if (!Digest.TryParse(descriptor.DigestText, out var digest) || !live.Add(digest) || !Content.Exists(digest)) continue;
            if (MediaTypes.IsIndex(descriptor.MediaType))
            {
                foreach (var child in (await LoadIndexAsync(digest, cancellationToken)).Manifests) pending.Push(child);
            }
            else if (MediaTypes.IsManifest(descriptor.MediaType))
            {
                var manifest = await LoadManifestAsync(digest, cancellationToken);
                live.Add(manifest.Config.Digest);
                foreach (var layer in manifest.Layers) live.Add(layer.Digest);
                if (Content.Exists(manifest.Config.Digest))
                {
                    try
                    {
                        var config = await LoadConfigAsync(manifest.Config.Digest, cancellationToken);
                        foreach (var chain in ChainId.ForEachLayer(config.RootFs.DiffIds.Select(Digest.Parse))) chains.Add(chain);
                    }
                    catch (Exception e) when (e is InvalidDataException or FormatException)
                    {
                        // Not an image config (an artifact): nothing to chain.
                    }
                }
            }
        }
        return (live, chains);
    }

    // ---- index.json ----

    /// <summary>The entries of index.json as they are now.</summary>
    public async Task<IReadOnlyList<Descriptor>> ReadIndexAsync(CancellationToken cancellationToken = default) =>
        await ReadIndexEntriesAsync(cancellationToken);

    private async Task<List<Descriptor>> ReadIndexEntriesAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Root, IndexFileName);
        if (!File.Exists(path)) return [];
        var bytes = await File.ReadAllBytesAsync(path, cancellationToken);
        try
        {
            var index = JsonSerializer.Deserialize(bytes, ImageJsonContext.Relaxed.ImageIndex);
            return index?.Manifests.ToList() ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a valid OCI index: {e.Message}", e);
        }
    }

    /// <summary>Read-modify-write of index.json under the store lock; <paramref name="change"/> returns whether it changed anything.</summary>
    private async Task UpdateIndexAsync(Func<List<Descriptor>, bool> change, CancellationToken cancellationToken)
    {
        using var _ = await FileLock.AcquireAsync(Path.Combine(Root, LockFileName), cancellationToken);
        var entries = await ReadIndexEntriesAsync(cancellationToken);
        if (!change(entries)) return;
        var index = new ImageIndex { MediaType = MediaTypes.OciIndex, Manifests = entries };
        WriteAtomically(Path.Combine(Root, IndexFileName), JsonSerializer.SerializeToUtf8Bytes(index, ImageJsonContext.Relaxed.ImageIndex));
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
        {
            file.Write(bytes);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        FileContentStore.SyncDirectory(Path.GetDirectoryName(path)!);
    }

    private static Descriptor Tagged(Descriptor target, string name)
    {
        var annotations = new Dictionary<string, string>(target.Annotations ?? new Dictionary<string, string>())
        {
            [AnnotationKeys.RefName] = name,
            [AnnotationKeys.ContainerdImageName] = name,
        };
        return target with { Annotations = annotations };
    }

    private static Descriptor Untagged(Descriptor entry)
    {
        var annotations = (entry.Annotations ?? new Dictionary<string, string>())
            .Where(a => a.Key is not AnnotationKeys.RefName and not AnnotationKeys.ContainerdImageName)
            .ToDictionary(a => a.Key, a => a.Value);
        return entry with { Annotations = annotations.Count == 0 ? null : annotations };
    }

    // The descriptor without the store's own naming annotations, as callers want to see it.
    private static Descriptor Plain(Descriptor entry) => Untagged(entry);
}
