using System.Text.Json;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Cache.Export;

/// <summary>
/// An exported cache as it is stored: a plain OCI image manifest (no index, so every registry takes it) whose config
/// (<see cref="CacheMediaTypes.Config"/>) lists the steps, and whose layers are the steps' layer blobs.
/// </summary>
public sealed class CacheArtifact
{
    private CacheArtifact(byte[] manifest, byte[] config, Descriptor configDescriptor, IReadOnlyList<Descriptor> layers, IReadOnlyList<CacheExportStep> steps,
        IReadOnlyList<CacheMountLayer> cacheMounts)
    {
        CacheMounts = cacheMounts;
        Manifest = manifest;
        Config = config;
        ConfigDescriptor = configDescriptor;
        Layers = layers;
        Steps = steps;
        ManifestDescriptor = Descriptor.For(MediaTypes.OciManifest, Digest.Sha256(manifest), manifest.Length);
    }

    /// <summary>The manifest's bytes (what its digest covers).</summary>
    public byte[] Manifest { get; }

    /// <summary>The manifest as a descriptor.</summary>
    public Descriptor ManifestDescriptor { get; }

    /// <summary>The config blob's bytes.</summary>
    public byte[] Config { get; }

    /// <summary>The config blob as a descriptor.</summary>
    public Descriptor ConfigDescriptor { get; }

    /// <summary>The layer blobs the manifest lists, each once, in step order.</summary>
    public IReadOnlyList<Descriptor> Layers { get; }

    /// <summary>The steps the config lists.</summary>
    public IReadOnlyList<CacheExportStep> Steps { get; }

    /// <summary>The cache mount contents it carries (opt-in), their layers after the steps'.</summary>
    public IReadOnlyList<CacheMountLayer> CacheMounts { get; }

    /// <summary>
    /// The artifact for <paramref name="steps"/>: every step in <see cref="CacheExportMode.Max"/>; in
    /// <see cref="CacheExportMode.Min"/> only those whose layer is one of <paramref name="finalImageLayers"/> or that
    /// add no layer. A key listed twice is exported once (its first record).
    /// </summary>
    public static CacheArtifact Create(IEnumerable<CacheExportStep> steps, CacheExportMode mode, IReadOnlyCollection<Digest>? finalImageLayers = null,
        IReadOnlyList<CacheMountLayer>? cacheMounts = null)
    {
        cacheMounts ??= [];
        var final = finalImageLayers is null ? null : new HashSet<Digest>(finalImageLayers);
        var seen = new HashSet<Keys.CacheKey>();
        var kept = new List<CacheExportStep>();
        foreach (var step in steps)
        {
            if (!seen.Add(step.Key)) continue;
            if (mode == CacheExportMode.Min && step.Layer is not null && final is not null && !final.Contains(step.Layer.Digest)) continue;
            kept.Add(step);
        }

        var layers = new List<Descriptor>();
        var layerDigests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in kept)
            if (step.Layer is { } layer && layerDigests.Add(layer.DigestText))
                layers.Add(Descriptor.For(layer.MediaType, layer.Digest, layer.Size));
        foreach (var mount in cacheMounts)
            if (layerDigests.Add(mount.Layer.DigestText))
                layers.Add(Descriptor.For(mount.Layer.MediaType, mount.Layer.Digest, mount.Layer.Size));

        var document = new CacheConfigDocument
        {
            Steps = kept.Select(s => new CacheConfigStep
            {
                Key = s.Key.ToString(),
                Parent = s.Parent.ToString(),
                Op = s.OpKind,
                Instruction = s.Instruction,
                Record = JsonSerializer.SerializeToElement(s.Record, CacheJsonContext.Default.CacheRecord),
            }).ToList(),
            CacheMounts = cacheMounts.Count == 0 ? null : cacheMounts.ToList(),
        };
        var config = JsonSerializer.SerializeToUtf8Bytes(document, CacheExportJsonContext.Relaxed.CacheConfigDocument);
        var configDescriptor = Descriptor.For(CacheMediaTypes.Config, Digest.Sha256(config), config.Length);
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            ArtifactType = CacheMediaTypes.Config,
            Config = configDescriptor,
            Layers = layers,
            // No creation time: the same steps give the same manifest digest, so an unchanged cache is not a new one.
        };
        var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ImageJsonContext.Relaxed.ImageManifest);
        return new CacheArtifact(manifestBytes, config, configDescriptor, layers, kept, cacheMounts);
    }

    /// <summary>The config document of <paramref name="steps"/> alone, for the inline cache.</summary>
    internal static byte[] ConfigOf(IEnumerable<CacheExportStep> steps) =>
        Create(steps, CacheExportMode.Max).Config;
}
