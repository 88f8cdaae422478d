using System.Security.Cryptography;
using System.Text.Json;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Store.Lazy;

namespace Ashlar.Images.Store;

/// <summary>
/// <c>ashlar check</c>, the store's fsck: every blob hashes to its name; <c>oci-layout</c> and <c>index.json</c> parse;
/// every manifest, config and layer an image reaches is present and parses; the snapshots' metadata matches their
/// directories; every cache entry reads and its blobs are present; nothing is left over by a dead process. With repair,
/// removes what is damaged or left over: a corrupt blob, an index.json entry whose image cannot load, a broken
/// snapshot, an unreadable cache entry. A healthy image is never touched.
/// </summary>
public sealed class StoreChecker
{
    private readonly ImageStore _store;
    private readonly ISnapshotCollector? _snapshots;
    private readonly ICacheCollector? _cache;

    /// <summary>A checker for <paramref name="store"/>, with the snapshots and build cache that live in it.</summary>
    public StoreChecker(ImageStore store, ISnapshotCollector? snapshots = null, ICacheCollector? cache = null)
    {
        _store = store;
        _snapshots = snapshots;
        _cache = cache;
    }

    /// <summary>
    /// The layers images reference that are lazy (recorded with a source, fetched when needed), found by the last
    /// <see cref="CheckAsync"/>: not a problem, but worth a line in the report.
    /// </summary>
    public IReadOnlyCollection<Digest> LazyLayers => _lazy;

    private readonly HashSet<Digest> _lazy = [];

    /// <summary>Checks the whole store; returns every problem found (marked repaired when <paramref name="repair"/> removed it).</summary>
    public async Task<IReadOnlyList<StoreProblem>> CheckAsync(bool repair = false, CancellationToken cancellationToken = default)
    {
        var problems = new List<StoreProblem>();
        CheckLayout(problems);
        var corrupt = await CheckBlobsAsync(problems, repair, cancellationToken);
        _lazy.Clear();
        CheckLazyRecords(problems, repair);
        await CheckImagesAsync(problems, corrupt, repair, cancellationToken);
        CheckLeftovers(problems, repair);
        _snapshots?.Check(problems, () => StoreLease.ReadAll(_store.Root), repair);
        if (_cache is not null) await _cache.CheckAsync(_store, problems, repair, cancellationToken);
        return problems;
    }

    private void CheckLayout(List<StoreProblem> problems)
    {
        var layout = Path.Combine(_store.Root, "oci-layout");
        try
        {
            var parsed = JsonSerializer.Deserialize(File.ReadAllBytes(layout), ImageJsonContext.Relaxed.OciLayoutFile);
            if (parsed?.ImageLayoutVersion is not { Length: > 0 })
                problems.Add(new StoreProblem(layout, "has no imageLayoutVersion"));
        }
        catch (FileNotFoundException) { problems.Add(new StoreProblem(layout, "missing (the store is not an OCI image layout)")); }
        catch (JsonException e) { problems.Add(new StoreProblem(layout, $"not valid JSON: {e.Message}")); }
    }

    // Rehashes every blob. A corrupt one is removed on repair: its content is wrong, whoever references it.
    private async Task<HashSet<Digest>> CheckBlobsAsync(List<StoreProblem> problems, bool repair, CancellationToken cancellationToken)
    {
        var corrupt = new HashSet<Digest>();
        var blobs = Path.Combine(_store.Root, "blobs");
        if (!Directory.Exists(blobs)) return corrupt;
        foreach (var algorithmDirectory in Directory.EnumerateDirectories(blobs))
        foreach (var file in Directory.EnumerateFiles(algorithmDirectory))
        {
            var algorithm = Path.GetFileName(algorithmDirectory);
            if (!Digest.TryParse($"{algorithm}:{Path.GetFileName(file)}", out var digest))
            {
                if (repair) File.Delete(file);
                problems.Add(new StoreProblem(file, "not named by a digest (a stray file in the blob store)", repair));
                continue;
            }
            string actual;
            try
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                using var hash = IncrementalHash.CreateHash(algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0) hash.AppendData(buffer.AsSpan(0, read));
                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            catch (FileNotFoundException) { continue; } // removed meanwhile
            if (actual == digest.Hex) continue;
            corrupt.Add(digest);
            if (repair) File.Delete(file);
            problems.Add(new StoreProblem(file, $"content does not match its digest: it hashes to {algorithm}:{actual}", repair));
        }
        return corrupt;
    }

    // Walks index.json to every manifest, config and layer; an entry whose image cannot load is removed on repair.
    private async Task CheckImagesAsync(List<StoreProblem> problems, HashSet<Digest> corrupt, bool repair, CancellationToken cancellationToken)
    {
        var indexPath = Path.Combine(_store.Root, "index.json");
        IReadOnlyList<Descriptor> entries;
        try
        {
            entries = await _store.ReadIndexAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            problems.Add(new StoreProblem(indexPath, $"{e.Message.Replace($"{indexPath} ", "", StringComparison.Ordinal)} (not repaired: it names every image; restore it from a backup)"));
            return;
        }
        foreach (var group in entries.GroupBy(e => e.DigestText))
        {
            var names = string.Join(", ", group.Select(e => e.Annotation(AnnotationKeys.RefName) ?? "<none>").Distinct());
            var found = new List<string>();
            await CheckDescriptorAsync(group.First(), found, corrupt, depth: 0, cancellationToken);
            if (found.Count == 0) continue;
            if (repair) await _store.RemoveEntriesAsync(group.Key, cancellationToken);
            foreach (var problem in found)
                problems.Add(new StoreProblem(indexPath, $"image {names} ({group.Key}): {problem}", repair));
        }
    }

    private async Task CheckDescriptorAsync(Descriptor descriptor, List<string> found, HashSet<Digest> corrupt, int depth, CancellationToken cancellationToken)
    {
        if (!Digest.TryParse(descriptor.DigestText, out var digest))
        {
            found.Add($"invalid digest \"{descriptor.DigestText}\"");
            return;
        }
        if (!Present(digest, "manifest", found, corrupt)) return;
        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            if (await TryLoadAsync(() => _store.LoadIndexAsync(digest, cancellationToken), digest, "image index", found) is not { } index) return;
            // A pulled index keeps only this platform's manifests: absent children are normal, present ones must be whole.
            if (depth < 4)
                foreach (var child in index.Manifests.Where(m => Digest.TryParse(m.DigestText, out var d) && (_store.Content.Exists(d) || corrupt.Contains(d))))
                    await CheckDescriptorAsync(child, found, corrupt, depth + 1, cancellationToken);
            return;
        }
        if (!MediaTypes.IsManifest(descriptor.MediaType)) return; // an artifact: its blob is all there is
        if (await TryLoadAsync(() => _store.LoadManifestAsync(digest, cancellationToken), digest, "manifest", found) is not { } manifest) return;
        if (Present(manifest.Config.Digest, "config", found, corrupt))
        {
            var config = await TryLoadAsync(() => _store.LoadConfigAsync(manifest.Config.Digest, cancellationToken), manifest.Config.Digest, "config", found);
            if (config is not null && MediaTypes.IsManifest(descriptor.MediaType) && config.RootFs.DiffIds.Count != manifest.Layers.Count
                && manifest.Config.MediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig)
                found.Add($"config {manifest.Config.Digest} lists {config.RootFs.DiffIds.Count} diff_ids for {manifest.Layers.Count} layers");
        }
        foreach (var layer in manifest.Layers)
        {
            // A lazy layer is not missing: its record says where it is fetched from when needed.
            if (!corrupt.Contains(layer.Digest) && _store.Lazy.IsLazy(layer.Digest)) _lazy.Add(layer.Digest);
            else Present(layer.Digest, "layer", found, corrupt);
        }
    }

    // A record that does not read is removed on repair: the layer it stood for then shows as missing, which is the truth.
    private void CheckLazyRecords(List<StoreProblem> problems, bool repair)
    {
        foreach (var (_, path, _, record, problem) in _store.Lazy.List().ToList())
        {
            if (record is not null) continue;
            if (repair) File.Delete(path);
            problems.Add(new StoreProblem(path, $"lazy blob record is {problem}", repair));
        }
    }

    private bool Present(Digest digest, string what, List<string> found, HashSet<Digest> corrupt)
    {
        if (corrupt.Contains(digest))
        {
            found.Add($"its {what} {_store.Content.PathOf(digest)} is corrupt");
            return false;
        }
        if (_store.Content.Exists(digest)) return true;
        found.Add($"its {what} {_store.Content.PathOf(digest)} is missing");
        return false;
    }

    private async Task<T?> TryLoadAsync<T>(Func<Task<T>> load, Digest digest, string what, List<string> found) where T : class
    {
        try
        {
            return await load();
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or FormatException or BlobNotFoundException)
        {
            found.Add($"its {what} {_store.Content.PathOf(digest)} does not parse: {e.Message}");
            return null;
        }
    }

    private void CheckLeftovers(List<StoreProblem> problems, bool repair)
    {
        var collector = new StoreGarbageCollector(_store);
        foreach (var file in collector.AbandonedTemporaryFiles().ToList())
        {
            if (repair) File.Delete(file);
            problems.Add(new StoreProblem(file, "leftover of a writer that died", repair));
        }
        var scratch = Path.Combine(_store.Root, "tmp");
        var candidates = Directory.Exists(scratch) ? Directory.GetDirectories(scratch, "build-*") : [];
        var leaseDirectory = Path.Combine(_store.Root, StoreLease.DirectoryName);
        var leaseFiles = Directory.Exists(leaseDirectory) ? Directory.GetFiles(leaseDirectory) : [];
        var leases = StoreLease.ReadAll(_store.Root);
        foreach (var directory in candidates.Where(d => !leases.IsLive(Path.GetFileName(d))))
        {
            if (repair) StoreGarbageCollector.DeleteTree(directory);
            problems.Add(new StoreProblem(directory, "scratch directory of a build that died", repair));
        }
        foreach (var file in leaseFiles.Where(f => !leases.IsLive(Path.GetFileName(f))))
        {
            problems.Add(new StoreProblem(file, "lease of a process that died", repair));
        }
        if (repair) StoreLease.ReadAll(_store.Root, removeDead: true);
    }
}
