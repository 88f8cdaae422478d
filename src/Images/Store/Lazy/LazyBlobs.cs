using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Registry;

namespace Ashlar.Images.Store.Lazy;

/// <summary>
/// The store's lazy blobs: layers an image references whose bytes are still in a remote cache. An image built
/// entirely from cache hits is written with its manifest and config only; each absent layer gets a record
/// (<c>&lt;root&gt;/lazy/&lt;algorithm&gt;/&lt;hex&gt;</c>: its descriptor and where it can be fetched) and is fetched
/// into the content store, verified against its digest, only when something needs the bytes (run, a later build's
/// snapshot, an export, save, push).
/// </summary>
/// <remarks>
/// Crash safety: a record is written to a temporary file and renamed into place before the manifest that needs it
/// is written, and removed only after its blob is in the content store (which itself appears only by atomic rename
/// after verification). A crash therefore leaves at most a record nothing needs, which garbage collection removes.
/// Two processes fetching one blob at once each write their own ingest file; the content is the same, so either
/// rename wins. A fetch is bounded by <see cref="FetchTimeout"/>.
/// </remarks>
public sealed class LazyBlobs
{
    /// <summary>The folder under the store root that holds the records.</summary>
    public const string DirectoryName = "lazy";

    /// <summary>The environment variable bounding one lazy fetch (seconds, or <c>90s</c>, <c>10m</c>, <c>1h</c>; <c>0</c> = no bound).</summary>
    public const string TimeoutVariable = "ASHLAR_LAZY_FETCH_TIMEOUT";

    /// <summary>The bound of one blob's fetch without <see cref="TimeoutVariable"/>.</summary>
    public static readonly TimeSpan DefaultFetchTimeout = TimeSpan.FromMinutes(10);

    // One fetch per blob at a time in this process, whichever ImageStore instance asks.
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Fetches = new(StringComparer.Ordinal);

    private readonly FileContentStore _content;

    internal LazyBlobs(FileContentStore content)
    {
        _content = content;
        Directory = Path.Combine(content.Root, DirectoryName);
    }

    /// <summary>The records' folder.</summary>
    public string Directory { get; }

    /// <summary>How long one blob's fetch (all its sources together) may take; infinite when zero.</summary>
    public TimeSpan FetchTimeout { get; set; } = ConfiguredTimeout();

    /// <summary><see cref="TimeoutVariable"/> when set, else <see cref="DefaultFetchTimeout"/>.</summary>
    public static TimeSpan ConfiguredTimeout()
    {
        if (Environment.GetEnvironmentVariable(TimeoutVariable) is not { Length: > 0 } text) return DefaultFetchTimeout;
        return ParseDuration(text) ?? throw new FormatException($"${TimeoutVariable}=\"{text}\": expected seconds or a duration such as 90s, 10m, 1h");
    }

    internal static TimeSpan? ParseDuration(string text)
    {
        var value = text.Trim().ToLowerInvariant();
        if (value.Length == 0) return null;
        var unit = char.IsAsciiLetter(value[^1]) ? value[^1] : 's';
        var number = char.IsAsciiLetter(value[^1]) ? value[..^1] : value;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount) || amount < 0) return null;
        return unit switch
        {
            's' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            _ => null,
        };
    }

    private string PathOf(Digest digest) => Path.Combine(Directory, digest.Algorithm, digest.Hex);

    /// <summary>
    /// Records <paramref name="blob"/> as lazy, fetchable from <paramref name="sources"/> (in order), for
    /// <paramref name="image"/>; nothing to do when the store already holds it. Call before writing the manifest that
    /// references it.
    /// </summary>
    public async Task RecordAsync(Descriptor blob, IReadOnlyList<LazyBlobSource> sources, string? image = null, CancellationToken cancellationToken = default)
    {
        if (sources.Count == 0 || sources.Any(s => !s.IsValid))
            throw new ArgumentException("a lazy blob needs at least one source, each a registry repository or a layout", nameof(sources));
        var digest = blob.Digest;
        if (_content.Exists(digest)) return;
        var record = new LazyBlob { Blob = Descriptor.For(blob.MediaType, digest, blob.Size), Sources = sources, Image = image, Recorded = DateTimeOffset.UtcNow };
        var path = PathOf(digest);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
        {
            await JsonSerializer.SerializeAsync(file, record, LazyJsonContext.Default.LazyBlob, cancellationToken);
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        FileContentStore.SyncDirectory(Path.GetDirectoryName(path)!);
    }

    /// <summary>The record of <paramref name="digest"/> when the store lacks the blob and has a readable record, else null.</summary>
    public LazyBlob? Find(Digest digest)
    {
        if (_content.Exists(digest)) return null;
        return Read(PathOf(digest), out _);
    }

    /// <summary>Whether the store lacks <paramref name="digest"/> but knows where to fetch it.</summary>
    public bool IsLazy(Digest digest) => Find(digest) is not null;

    private static LazyBlob? Read(string path, out string? problem)
    {
        problem = null;
        try
        {
            var record = JsonSerializer.Deserialize(File.ReadAllBytes(path), LazyJsonContext.Default.LazyBlob);
            if (record is not null && record.Sources.Count > 0 && record.Sources.All(s => s.IsValid) && Digest.TryParse(record.Blob.DigestText, out _))
                return record;
            problem = "not a lazy blob record (no valid blob or source)";
        }
        catch (FileNotFoundException) { }
        catch (DirectoryNotFoundException) { }
        catch (JsonException e) { problem = $"not valid JSON: {e.Message}"; }
        return null;
    }

    /// <summary>Every record file: its digest (from its name), path, last write, and the record (null when it does not read).</summary>
    internal IEnumerable<(Digest Digest, string Path, DateTime Written, LazyBlob? Record, string? Problem)> List()
    {
        if (!System.IO.Directory.Exists(Directory)) yield break;
        foreach (var algorithmDirectory in System.IO.Directory.EnumerateDirectories(Directory))
        foreach (var file in System.IO.Directory.EnumerateFiles(algorithmDirectory))
        {
            if (file.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            if (!Digest.TryParse($"{Path.GetFileName(algorithmDirectory)}:{Path.GetFileName(file)}", out var digest)) continue;
            var record = Read(file, out var problem);
            if (record is not null && record.Blob.Digest != digest)
            {
                problem = $"records {record.Blob.Digest}, not the blob it is named after";
                record = null;
            }
            yield return (digest, file, File.GetLastWriteTimeUtc(file), record, problem);
        }
    }

    /// <summary>Removes a record (its blob is now in the store, or nothing needs it); returns whether it was there.</summary>
    internal bool Forget(Digest digest)
    {
        try
        {
            File.Delete(PathOf(digest));
            return true;
        }
        catch (DirectoryNotFoundException) { return false; }
    }

    /// <summary>
    /// Garbage collection's part: removes the records of blobs now in the store, and those of blobs
    /// <paramref name="live"/> does not hold that were written before <paramref name="protectedSince"/> (a build
    /// records before it writes its manifest, under its lease). Leftover temporary files of dead writers go too.
    /// </summary>
    internal int Collect(IReadOnlySet<Digest> live, DateTime protectedSince)
    {
        var removed = 0;
        foreach (var (digest, path, written, _, _) in List().ToList())
        {
            if (!_content.Exists(digest) && (live.Contains(digest) || written >= protectedSince)) continue;
            try
            {
                File.Delete(path);
                removed++;
            }
            catch (IOException) { }
        }
        if (System.IO.Directory.Exists(Directory))
            foreach (var temp in System.IO.Directory.EnumerateFiles(Directory, "*.tmp", SearchOption.AllDirectories))
                if (File.GetLastWriteTimeUtc(temp) < DateTime.UtcNow.AddHours(-1))
                    try { File.Delete(temp); }
                    catch (IOException) { }
        return removed;
    }

    /// <summary>
    /// Makes sure <paramref name="blob"/> is in the content store: nothing to do when it is, fetched from its recorded
    /// sources when it is lazy. Throws <see cref="BlobNotFoundException"/> when it is neither, and
    /// <see cref="LazyBlobUnavailableException"/> when no source could supply it (naming <paramref name="image"/>).
    /// </summary>
    /// <param name="blob">The blob as the image's manifest lists it.</param>
    /// <param name="image">The image that needs it, for messages; the record's own when null.</param>
    /// <param name="client">The registry client to fetch with; a default one (loopback and <c>ASHLAR_INSECURE_REGISTRIES</c> over HTTP) when null.</param>
    /// <param name="cancellationToken">Stops the fetch; nothing half-written becomes visible.</param>
    public Task EnsureAsync(Descriptor blob, string? image = null, RegistryClient? client = null, CancellationToken cancellationToken = default)
    {
        var digest = blob.Digest;
        if (_content.Exists(digest)) return Task.CompletedTask;
        var key = $"{_content.Root}\n{digest}";
        var fetch = Fetches.GetOrAdd(key, _ => new Lazy<Task>(() => FetchAsync(digest, image, client, cancellationToken)));
        return AwaitAndForgetAsync(key, fetch);
    }

    private static async Task AwaitAndForgetAsync(string key, Lazy<Task> fetch)
    {
        try
        {
            await fetch.Value;
        }
        finally
        {
            Fetches.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, fetch));
        }
    }

    /// <summary>Every layer of <paramref name="image"/> in the content store (fetching the lazy ones, a few at a time).</summary>
    public async Task EnsureImageAsync(StoredImage image, string? name = null, RegistryClient? client = null, CancellationToken cancellationToken = default)
    {
        var absent = image.Manifest.Layers.Where(l => !_content.Exists(l.Digest)).DistinctBy(l => l.DigestText).ToList();
        if (absent.Count == 0) return;
        await Parallel.ForEachAsync(absent, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (layer, token) => await EnsureAsync(layer, name ?? image.ManifestDigest.ToString(), client, token));
    }

    private async Task FetchAsync(Digest digest, string? image, RegistryClient? client, CancellationToken cancellationToken)
    {
        var record = Read(PathOf(digest), out _);
        if (_content.Exists(digest)) return;
        if (record is null) throw new BlobNotFoundException(digest);
        image ??= record.Image;
        var blob = record.Blob;
        var failures = new List<string>();
        using var owned = client is null && record.Sources.Any(s => s.Registry is not null) ? new RegistryClient() : null;
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (FetchTimeout > TimeSpan.Zero) bounded.CancelAfter(FetchTimeout);
        foreach (var source in record.Sources)
        {
            try
            {
                if (source.Layout is { } layout)
                {
                    var path = Path.Combine(layout, "blobs", digest.Algorithm, digest.Hex);
                    await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    await _content.WriteAsync(file, digest, blob.Size, bounded.Token);
                }
                else
                {
                    var repository = (client ?? owned)!.Repository(source.Registry!, source.Repository!, forPush: false);
                    await repository.FetchBlobAsync(new ContentDescriptor(blob.MediaType, digest, blob.Size), _content, bounded.Token);
                }
                if (_content.Exists(digest))
                {
                    Forget(digest);
                    return;
                }
                failures.Add($"{source}: the blob did not arrive");
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{source}: timed out after {FetchTimeout.TotalSeconds:0}s (${TimeoutVariable})");
                break; // the bound is for the whole fetch
            }
            catch (RegistryException e) when (e.StatusCode == HttpStatusCode.NotFound)
            {
                failures.Add($"{source}: the registry does not have it");
            }
            catch (Exception e) when (e is RegistryException or HttpRequestException or IOException or UnauthorizedAccessException or DigestMismatchException
                && !cancellationToken.IsCancellationRequested)
            {
                failures.Add($"{source}: {FirstLine(e)}");
            }
        }
        throw new LazyBlobUnavailableException(image, digest, blob.Size, failures);
    }

    private static string FirstLine(Exception e)
    {
        var message = e is HttpRequestException { InnerException: { } inner } ? $"{e.Message} ({inner.Message})" : e.Message;
        return message.Split('\n')[0];
    }
}
