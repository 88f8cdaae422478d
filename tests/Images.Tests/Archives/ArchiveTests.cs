using System.Text.Json;
using Ashlar.Images.Archives;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Images.Layers;
using Ashlar.Images.References;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Archives;

/// <summary>Import, save and load, checked against skopeo and umoci reading what Ashlar wrote.</summary>
public class ArchiveTests
{
    [Fact]
    public async Task An_imported_busybox_rootfs_is_a_one_layer_image_that_runs_from_its_unpacked_layer()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Combine("store"));
        var image = await BusyboxRootfs.ImportAsync(store);

        Assert.Single(image.Manifest.Layers);
        Assert.Equal(MediaTypes.OciLayerGzip, image.Manifest.Layers[0].MediaType);
        Assert.Equal("Imported from -", image.Config.History![0].Comment);
        var listed = Assert.Single(await store.ListAsync());
        Assert.Equal("busybox:latest", listed.Reference!.Familiar);
        Assert.Equal(image.Id, listed.Id);

        await using var layer = store.Content.OpenRead(image.Manifest.Layers[0].Digest);
        var unpacked = await LayerUnpacker.UnpackAsync(layer, dir.Combine("rootfs"));
        Assert.Equal(image.DiffIds[0], unpacked.DiffId);
        var run = await ExternalTool.RunAsync(dir.Combine("rootfs", "bin", "busybox"), ["echo", "hello from the layer"]);
        Assert.Equal("hello from the layer\n", run.EnsureSuccess("busybox").Stdout);
    }

    [Fact]
    public async Task Umoci_and_skopeo_read_the_store_root_as_an_oci_layout()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("store");
        var store = ImageStore.Open(root);
        var image = await BusyboxRootfs.ImportAsync(store);

        var ls = await ExternalTool.RunAsync("umoci", ["ls", "--layout", root]);
        Assert.Contains("docker.io/library/busybox:latest", ls.EnsureSuccess("umoci ls").Stdout);

        var inspect = await ExternalTool.RunAsync("skopeo", ["inspect", $"oci:{root}:docker.io/library/busybox:latest"]);
        using var json = JsonDocument.Parse(inspect.EnsureSuccess("skopeo inspect").Stdout);
        Assert.Equal(image.ManifestDigest.ToString(), json.RootElement.GetProperty("Digest").GetString());
        Assert.Equal(image.Manifest.Layers[0].DigestText, json.RootElement.GetProperty("Layers")[0].GetString());

        // umoci unpacks it, which checks every blob's digest and the diff_ids on the way.
        var unpack = await ExternalTool.RunAsync("umoci", ["raw", "unpack", "--image", $"{root}:docker.io/library/busybox:latest", dir.Combine("unpacked")]);
        unpack.EnsureSuccess("umoci raw unpack");
        Assert.True(File.Exists(dir.Combine("unpacked", "bin", "busybox")));
    }

    [Fact]
    public async Task Skopeo_copies_a_saved_docker_archive()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Combine("store"));
        var image = await BusyboxRootfs.ImportAsync(store);
        var archive = dir.Combine("out.tar");
        await using (var output = File.Create(archive))
            await ImageArchiveWriter.WriteAsync(store, ["busybox"], output);

        var copy = await ExternalTool.RunAsync("skopeo", ["copy", $"docker-archive:{archive}", $"oci:{dir.Combine("copied")}:busybox"]);
        copy.EnsureSuccess("skopeo copy docker-archive: -> oci:");
        var inspect = await ExternalTool.RunAsync("skopeo", ["inspect", "--config", $"oci:{dir.Combine("copied")}:busybox"]);
        using var config = JsonDocument.Parse(inspect.EnsureSuccess("skopeo inspect --config").Stdout);
        Assert.Equal(image.DiffIds[0].ToString(), config.RootElement.GetProperty("rootfs").GetProperty("diff_ids")[0].GetString());

        var direct = await ExternalTool.RunAsync("skopeo", ["inspect", $"docker-archive:{archive}"]);
        using var info = JsonDocument.Parse(direct.EnsureSuccess("skopeo inspect docker-archive:").Stdout);
        Assert.Equal("amd64", info.RootElement.GetProperty("Architecture").GetString());
    }

    [Fact]
    public async Task Skopeo_reads_a_saved_oci_archive()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Combine("store"));
        var image = await BusyboxRootfs.ImportAsync(store, "localhost:5000/tools/busybox:1.0");
        var archive = dir.Combine("oci.tar");
        await using (var output = File.Create(archive))
            await ImageArchiveWriter.WriteAsync(store, ["localhost:5000/tools/busybox:1.0"], output, ImageArchiveFormat.Oci);

        var inspect = await ExternalTool.RunAsync("skopeo", ["inspect", $"oci-archive:{archive}:1.0"]);
        using var json = JsonDocument.Parse(inspect.EnsureSuccess("skopeo inspect oci-archive:").Stdout);
        Assert.Equal(image.ManifestDigest.ToString(), json.RootElement.GetProperty("Digest").GetString());
    }

    [Theory]
    [InlineData(ImageArchiveFormat.Docker)]
    [InlineData(ImageArchiveFormat.Oci)]
    public async Task Save_then_load_keeps_names_and_digests(ImageArchiveFormat format)
    {
        using var dir = new TempDirectory();
        var source = ImageStore.Open(dir.Combine("source"));
        var image = await BusyboxRootfs.ImportAsync(source);
        await source.TagAsync(ImageReference.Parse("localhost:5000/copy:v1"), image.Descriptor);
        var archive = new MemoryStream();
        await ImageArchiveWriter.WriteAsync(source, ["busybox", "localhost:5000/copy:v1"], archive, format);

        var target = ImageStore.Open(dir.Combine("target"));
        archive.Position = 0;
        var loaded = await ImageArchiveReader.LoadAsync(target, archive);

        Assert.Equal(["Loaded image: busybox:latest", "Loaded image: localhost:5000/copy:v1"], loaded.Select(l => l.ToString()));
        foreach (var name in new[] { "busybox:latest", "localhost:5000/copy:v1" })
            Assert.Equal(image.ManifestDigest, (await target.ResolveAsync(ImageReference.Parse(name)))!.Digest);
        Assert.Equal(source.Content.List().Order(), target.Content.List().Order());
    }

    [Fact]
    public async Task Loads_a_docker_archive_written_by_skopeo()
    {
        using var dir = new TempDirectory();
        var source = ImageStore.Open(dir.Combine("source"));
        var image = await BusyboxRootfs.ImportAsync(source);
        var archive = dir.Combine("skopeo.tar");
        var copy = await ExternalTool.RunAsync("skopeo", ["copy", $"oci:{source.Root}:docker.io/library/busybox:latest", $"docker-archive:{archive}:example.com/from/skopeo:7"]);
        copy.EnsureSuccess("skopeo copy oci: -> docker-archive:");

        var target = ImageStore.Open(dir.Combine("target"));
        await using var input = File.OpenRead(archive);
        var loaded = await ImageArchiveReader.LoadAsync(target, input, archive);

        var only = Assert.Single(loaded);
        Assert.Equal("example.com/from/skopeo:7", only.Reference!.Familiar);
        var reloaded = await target.LoadImageAsync("example.com/from/skopeo:7");
        Assert.Equal(image.DiffIds, reloaded.DiffIds);
        await using var layer = target.Content.OpenRead(reloaded.Manifest.Layers[0].Digest);
        Assert.Equal(image.DiffIds[0], (await LayerUnpacker.UnpackAsync(layer, dir.Combine("rootfs"))).DiffId);
    }

    [Fact]
    public async Task An_archive_with_a_corrupted_blob_is_refused_and_names_nothing()
    {
        using var dir = new TempDirectory();
        var source = ImageStore.Open(dir.Combine("source"));
        var image = await BusyboxRootfs.ImportAsync(source);
        var archive = new MemoryStream();
        await ImageArchiveWriter.WriteAsync(source, ["busybox"], archive);
        var bytes = archive.ToArray();
        // Flip a byte inside the layer blob's data (it follows its 512-byte header).
        var layerHex = image.Manifest.Layers[0].Digest.Hex;
        var header = IndexOf(bytes, System.Text.Encoding.ASCII.GetBytes("blobs/sha256/" + layerHex));
        bytes[header + 512 + 100] ^= 0xff;

        var target = ImageStore.Open(dir.Combine("target"));
        await Assert.ThrowsAsync<DigestMismatchException>(() => ImageArchiveReader.LoadAsync(target, new MemoryStream(bytes)));

        Assert.Empty(await target.ListAsync());
        Assert.False(target.Content.Exists(image.Manifest.Layers[0].Digest));
        Assert.All(target.Content.List(), d => Assert.Equal(d, Digest.Sha256(File.ReadAllBytes(target.Content.PathOf(d)))));
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("not found");
    }

    [Fact]
    public async Task A_gzipped_archive_and_a_gzipped_rootfs_load_and_import()
    {
        using var dir = new TempDirectory();
        var source = ImageStore.Open(dir.Combine("source"));
        var rootfs = await BusyboxRootfs.TarAsync();
        var gzipped = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(gzipped, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(rootfs);
        gzipped.Position = 0;
        var image = await RootfsImporter.ImportAsync(source, gzipped, ImageReference.Parse("gz:1"));
        Assert.Equal(Digest.Sha256(rootfs), image.DiffIds[0]);

        var archive = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(archive, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            await ImageArchiveWriter.WriteAsync(source, ["gz:1"], gzip);
        archive.Position = 0;
        var target = ImageStore.Open(dir.Combine("target"));
        var loaded = Assert.Single(await ImageArchiveReader.LoadAsync(target, archive));
        Assert.Equal(image.Id, loaded.Id);
    }
}
