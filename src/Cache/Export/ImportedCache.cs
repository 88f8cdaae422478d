using System.Text.Json;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Cache.Remote;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Export;

/// <summary>A cache read back from an export (<c>--cache-from</c>): its steps, served as a read-only cache index.</summary>
public sealed class ImportedCache
{
    private ImportedCache(string source, IReadOnlyList<CacheExportStep> steps, IReadOnlyList<CacheMountLayer> cacheMounts)
    {
        CacheMounts = cacheMounts;
        Source = source;
        Steps = steps;
    }

    /// <summary>Where it came from, for messages (a reference or a directory).</summary>
    public string Source { get; }

    /// <summary>The steps it lists.</summary>
    public IReadOnlyList<CacheExportStep> Steps { get; }

    /// <summary>The cache mount contents it carries (see <see cref="Export.CacheMounts.RestoreAsync"/>).</summary>
    public IReadOnlyList<CacheMountLayer> CacheMounts { get; }

    /// <summary>A read-only index that serves each step's record under its key, for <see cref="LayeredDistributedCache"/>.</summary>
    public IDistributedCache ToIndex() =>
        new ImportedCacheIndex(Steps.GroupBy(s => s.Key).ToDictionary(
            g => LayerCacheKeys.Record(g.Key),
            g => JsonSerializer.SerializeToUtf8Bytes(g.First().Record, CacheJsonContext.Default.CacheRecord),
            StringComparer.Ordinal));

    /// <summary>
    /// Reads a cache config document (the cache manifest's config blob, or an image config's inline cache field).
    /// Anything that is not a readable cache config is ignored with one warning naming <paramref name="source"/>: the
    /// build then runs without this cache, never fails because of it.
    /// </summary>
    public static ImportedCache? ReadConfig(ReadOnlySpan<byte> config, string source, Action<string> warn)
    {
        try
        {
            var document = JsonSerializer.Deserialize(config, CacheExportJsonContext.Default.CacheConfigDocument)
                ?? throw new JsonException("the config is null");
            if (document.Version != CacheConfigDocument.CurrentVersion)
                throw new JsonException($"version {document.Version} is not the supported {CacheConfigDocument.CurrentVersion}");
            var steps = new List<CacheExportStep>(document.Steps.Count);
            foreach (var step in document.Steps)
            {
                if (!Digest.TryParse(step.Key, out var key) || !Digest.TryParse(step.Parent, out var parent))
                    throw new JsonException($"a step has an invalid key \"{step.Key}\" or parent \"{step.Parent}\"");
                var record = step.Record.Deserialize(CacheJsonContext.Default.CacheRecord)
                    ?? throw new JsonException($"step {step.Key} has no record");
                if (record.Layer is { } layer && (!Digest.TryParse(layer.DigestText, out _) || layer.Size < 0))
                    throw new JsonException($"step {step.Key} has an invalid layer \"{layer.DigestText}\"");
                steps.Add(new CacheExportStep(new CacheKey(key), new CacheKey(parent), step.Instruction ?? step.Op, record));
            }
            foreach (var mount in document.CacheMounts ?? [])
                if (mount.Name is null || mount.Layer is null || !Digest.TryParse(mount.Layer.DigestText, out _))
                    throw new JsonException("a cache mount has no name or an invalid layer");
            return new ImportedCache(source, steps, document.CacheMounts ?? []);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            warn($"cache {source} is not a cache Ashlar can read ({e.Message.Split('\n')[0]}); building without it");
            return null;
        }
    }

    /// <summary>
    /// Checks that <paramref name="manifest"/> is a cache manifest (not an image or another artifact); warns and returns
    /// false otherwise.
    /// </summary>
    internal static bool IsCacheManifest(ImageManifest? manifest, string source, Action<string> warn)
    {
        if (manifest?.Config.MediaType == CacheMediaTypes.Config) return true;
        warn($"cache {source} is not an Ashlar cache (its config is \"{manifest?.Config.MediaType ?? "missing"}\"); building without it");
        return false;
    }
}
