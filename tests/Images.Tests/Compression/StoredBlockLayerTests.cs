using System.IO.Compression;
using System.Security.Cryptography;
using Ashlar.Images.Archives;
using Ashlar.Images.Compression;
using Ashlar.Images.Layers;
using Ashlar.Images.References;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Compression;

/// <summary>
/// A layer of random and text data, as a RUN step writes: random blocks are stored, text blocks deflated, and every
/// gzip reader (GNU gzip, Go's through umoci, .NET's in our unpacker) reads the same tar back.
/// </summary>
public class StoredBlockLayerTests
{
    private const int HalfSize = 32 << 20;

    private static void WriteTree(string root)
    {
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var random = new byte[HalfSize];
        new Random(64).NextBytes(random);
        File.WriteAllBytes(Path.Combine(root, "data", "random.bin"), random);
        var line = "ashlar benchmark: a line of text that compresses well, 0123456789\n"u8;
        var text = new byte[HalfSize];
        for (var i = 0; i < text.Length; i++) text[i] = line[i % line.Length];
        File.WriteAllBytes(Path.Combine(root, "data", "text.txt"), text);
    }

    [Fact]
    public async Task A_64_MB_random_and_text_layer_is_read_back_by_gzip_umoci_and_our_unpacker()
    {
        using var dir = new TempDirectory();
        var tree = dir.Combine("tree");
        WriteTree(tree);
        var tar = dir.Combine("layer.tar");
        await using (var output = File.Create(tar))
        await using (var writer = new LayerTarWriter(output))
            await writer.AddTreeAsync(tree, "", new LayerTreeOptions { FixedModificationTime = DateTimeOffset.FromUnixTimeSeconds(1600000000), Uid = 0, Gid = 0 });

        var root = dir.Combine("store");
        var store = ImageStore.Open(root);
        StoredImage image;
        await using (var input = File.OpenRead(tar))
            image = await RootfsImporter.ImportAsync(store, input, ImageReference.Parse("big:1"), new ImportOptions { Created = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
        var layer = Assert.Single(image.Manifest.Layers);
        var blob = store.Content.PathOf(layer.Digest);

        // The random half is stored (no smaller), the text half deflated to almost nothing.
        Assert.InRange(layer.Size, HalfSize, HalfSize + (4 << 20));
        var diffId = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(File.OpenRead(tar)));
        Assert.Equal(diffId, image.DiffIds[0].ToString());

        (await ExternalTool.RunAsync("gzip", ["-t", blob])).EnsureSuccess("gzip -t");
        var gunzip = await ExternalTool.RunAsync("sh", ["-c", $"gzip -dc < '{blob}' | sha256sum"]);
        Assert.StartsWith(diffId["sha256:".Length..], gunzip.EnsureSuccess("gzip -dc | sha256sum").Stdout);

        await using (var read = store.Content.OpenRead(layer.Digest))
        {
            var unpacked = await LayerUnpacker.UnpackAsync(read, dir.Combine("ours"));
            Assert.Equal(image.DiffIds[0], unpacked.DiffId);
        }
        AssertSameFiles(tree, dir.Combine("ours"));

        // umoci checks the blob's digest and its diff_id as it unpacks, reading the gzip with Go.
        var umoci = await ExternalTool.RunAsync("umoci", ["raw", "unpack", "--image", $"{root}:docker.io/library/big:1", dir.Combine("umoci")]);
        umoci.EnsureSuccess("umoci raw unpack");
        AssertSameFiles(tree, dir.Combine("umoci"));
    }

    [Fact]
    public void The_same_bytes_come_out_whatever_the_parallelism_and_write_sizes()
    {
        // Whole 1 MiB blocks of random and text, and a random block cut by the end: stored and deflated blocks.
        var data = new byte[(9 << 20) + 4321];
        var random = new Random(3);
        for (var block = 0; block * (1 << 20) < data.Length; block++)
        {
            var span = data.AsSpan(block << 20, Math.Min(1 << 20, data.Length - (block << 20)));
            if (block % 3 != 1) random.NextBytes(span);
            else for (var i = 0; i < span.Length; i++) span[i] = (byte)"layer text "[i % 11];
        }

        byte[] Compress(int parallelism, int chunk)
        {
            var output = new MemoryStream();
            using (var gzip = new ParallelGzipStream(output, CompressionLevel.Fastest, leaveOpen: true, parallelism: parallelism))
                for (var offset = 0; offset < data.Length; offset += chunk)
                    gzip.Write(data, offset, Math.Min(chunk, data.Length - offset));
            return output.ToArray();
        }

        var one = Compress(1, 4096);
        Assert.Equal(one, Compress(2, 1 << 20));
        Assert.Equal(one, Compress(16, 777_777));
        Assert.Equal(one, Compress(Environment.ProcessorCount, data.Length));
        Assert.InRange(one.Length, 6 << 20, 7 << 20); // six random blocks stored, three text blocks deflated
        // After the 10-byte gzip header, the first (random) block begins as a stored block of 65,535 bytes.
        Assert.Equal(new byte[] { 0, 0xff, 0xff, 0, 0 }, one[10..15]);

        var decompressed = new MemoryStream();
        using (var reader = new GZipStream(new MemoryStream(one), CompressionMode.Decompress))
            reader.CopyTo(decompressed);
        Assert.Equal(data, decompressed.ToArray());
    }

    private static void AssertSameFiles(string expected, string actual)
    {
        foreach (var name in new[] { "random.bin", "text.txt" })
            Assert.True(File.ReadAllBytes(Path.Combine(expected, "data", name)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, "data", name))), $"{name} differs in {actual}");
    }
}
