using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Ashlar.Images.Content;

namespace Ashlar.Images.Tests.Registry.Support;

/// <summary>
/// A small real image made in the test: gzip tar layers of random files, a config with their diff ids, and an
/// OCI (or Docker schema 2) manifest. It can go into a content store or be written as an OCI image layout.
/// </summary>
internal sealed class TestImage
{
    public const string OciManifestType = "application/vnd.oci.image.manifest.v1+json";
    public const string DockerManifestType = "application/vnd.docker.distribution.manifest.v2+json";
    public const string OciIndexType = "application/vnd.oci.image.index.v1+json";

    public required string Architecture { get; init; }
    public required byte[] Manifest { get; init; }
    public required string MediaType { get; init; }
    public required byte[] Config { get; init; }
    public required IReadOnlyList<byte[]> Layers { get; init; }

    public Digest ManifestDigest => Digest.Sha256(Manifest);
    public Digest ConfigDigest => Digest.Sha256(Config);
    public IEnumerable<Digest> LayerDigests => Layers.Select(l => Digest.Sha256(l));

    /// <summary>Every blob of the image (config and layers) by digest, and the manifest.</summary>
    public IEnumerable<(Digest Digest, byte[] Bytes)> Blobs =>
        Layers.Select(l => (Digest.Sha256(l), l)).Prepend((ConfigDigest, Config)).Append((ManifestDigest, Manifest));

    public static TestImage Create(int layerCount = 2, int layerSize = 32 * 1024, string architecture = "amd64", bool docker = false)
    {
        var layers = new List<byte[]>();
        var diffIds = new List<string>();
        for (var i = 0; i < layerCount; i++)
        {
            var data = new byte[layerSize];
            Random.Shared.NextBytes(data);
            var tar = Tar($"layer{i}/data.bin", data);
            diffIds.Add($"\"{Digest.Sha256(tar)}\"");
            layers.Add(Gzip(tar));
        }
        var config = Encoding.UTF8.GetBytes(
            "{\"architecture\":\"" + architecture + "\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/bin:/bin\"]}," +
            "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" + string.Join(",", diffIds) + "]}}");
        var configType = docker ? "application/vnd.docker.container.image.v1+json" : "application/vnd.oci.image.config.v1+json";
        var layerType = docker ? "application/vnd.docker.image.rootfs.diff.tar.gzip" : "application/vnd.oci.image.layer.v1.tar+gzip";
        var mediaType = docker ? DockerManifestType : OciManifestType;
        var layerDescriptors = string.Join(",", layers.Select(l => Descriptor(layerType, l)));
        var manifest = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{mediaType}}","config":{{Descriptor(configType, config)}},"layers":[{{layerDescriptors}}]}""");
        return new TestImage { Architecture = architecture, Manifest = manifest, MediaType = mediaType, Config = config, Layers = layers };
    }

    /// <summary>An OCI index over images of different architectures.</summary>
    public static byte[] Index(params TestImage[] images) => Encoding.UTF8.GetBytes(
        "{\"schemaVersion\":2,\"mediaType\":\"" + OciIndexType + "\",\"manifests\":[" + string.Join(",", images.Select(i =>
            $"{{\"mediaType\":\"{i.MediaType}\",\"digest\":\"{i.ManifestDigest}\",\"size\":{i.Manifest.Length},\"platform\":{{\"architecture\":\"{i.Architecture}\",\"os\":\"linux\"}}}}")) + "]}");

    public async Task WriteToAsync(IContentStore store)
    {
        foreach (var (digest, bytes) in Blobs)
            await store.WriteAsync(new MemoryStream(bytes), digest, bytes.Length);
    }

    /// <summary>Writes an OCI image layout that skopeo and umoci read, with this image tagged <paramref name="tag"/>.</summary>
    public void WriteOciLayout(string directory, string tag)
    {
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        foreach (var (digest, bytes) in Blobs)
            File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", digest.Hex), bytes);
        File.WriteAllText(Path.Combine(directory, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(directory, "index.json"),
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"{MediaType}\",\"digest\":\"{ManifestDigest}\",\"size\":{Manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"{tag}\"}}}}]}}");
    }

    static string Descriptor(string mediaType, byte[] bytes) =>
        $$"""{"mediaType":"{{mediaType}}","digest":"{{Digest.Sha256(bytes)}}","size":{{bytes.Length}}}""";

    static byte[] Tar(string name, byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            var entry = new PaxTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = new MemoryStream(content), ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero),
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            };
            writer.WriteEntry(entry);
        }
        return buffer.ToArray();
    }

    static byte[] Gzip(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true)) gzip.Write(bytes);
        return buffer.ToArray();
    }
}
