using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Content;

public class FileContentStoreTests
{
    [Fact]
    public async Task A_written_blob_is_stored_under_its_digest()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var bytes = Encoding.UTF8.GetBytes("hello blob");
        var (digest, size) = await store.WriteAsync(new MemoryStream(bytes));

        Assert.Equal(Digest.Sha256(bytes), digest);
        Assert.Equal(bytes.Length, size);
        Assert.True(File.Exists(dir.Combine("blobs", "sha256", digest.Hex)));
        Assert.Equal(bytes, await store.ReadAllBytesAsync(digest));
        Assert.Contains(digest, store.List());
    }

    [Fact]
    public async Task A_corrupted_blob_is_refused_and_nothing_is_stored()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var announced = Digest.Sha256("the real content"u8);

        var error = await Assert.ThrowsAsync<DigestMismatchException>(() => store.WriteAsync(new MemoryStream("tampered content"u8.ToArray()), announced));

        Assert.Equal(announced, error.Expected);
        Assert.False(store.Exists(announced));
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
    }

    [Fact]
    public async Task A_wrong_size_is_refused()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var bytes = "twelve bytes"u8.ToArray();
        await Assert.ThrowsAsync<InvalidDataException>(() => store.WriteAsync(new MemoryStream(bytes), Digest.Sha256(bytes), 13));
        Assert.Empty(store.List());
    }

    [Fact]
    public async Task Concurrent_writers_of_the_same_blob_all_succeed_with_one_blob()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var bytes = new byte[3 << 20];
        new Random(7).NextBytes(bytes);
        var expected = Digest.Sha256(bytes);

        var writes = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            await using var writer = store.BeginWrite();
            await writer.WriteAsync(bytes);
            return await writer.CommitAsync(expected);
        }));
        var results = await Task.WhenAll(writes);

        Assert.All(results, r => Assert.Equal(expected, r.Digest));
        Assert.Equal([expected], store.List());
        Assert.Equal(bytes, await store.ReadAllBytesAsync(expected));
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
    }

    [Fact]
    public async Task An_abandoned_write_leaves_nothing()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        await using (var writer = store.BeginWrite())
            await writer.WriteAsync("partial"u8.ToArray());
        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
    }

    [Fact]
    public void A_missing_blob_throws_a_named_error()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var missing = Digest.Sha256("nope"u8);
        var error = Assert.Throws<BlobNotFoundException>(() => store.OpenRead(missing));
        Assert.Contains(missing.ToString(), error.Message);
    }

    [Fact]
    public void The_root_option_beats_the_environment()
    {
        Assert.Equal("/x/y", StoreLocation.Resolve("/x/y"));
    }
}
