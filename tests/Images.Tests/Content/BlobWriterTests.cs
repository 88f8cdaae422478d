using Ashlar.Images.Content;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Content;

/// <summary>
/// Blobs are written in 1 MiB chunks in the background; a direct writer's large blob goes to disk with O_DIRECT in
/// whole chunks and a buffered tail. Either way the stored bytes are the written ones.
/// </summary>
public class BlobWriterTests
{
    // Several chunks (1 MiB each) and more than the writer keeps in flight, then a tail that is not a whole block.
    private const int LargeSize = (9 << 20) + 12345;

    [Theory]
    [InlineData(1, true)]
    [InlineData(4096, true)]
    [InlineData(777_777, true)]
    [InlineData(3 << 20, true)]
    [InlineData(1, false)]
    [InlineData(777_777, false)]
    public async Task A_large_blob_written_in_any_pieces_is_stored_byte_for_byte(int piece, bool direct)
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var bytes = RandomBytes(piece == 1 ? (2 << 20) + 3 : LargeSize, seed: piece);

        await using var writer = store.BeginWrite(direct: direct);
        for (var offset = 0; offset < bytes.Length; offset += piece)
        {
            var slice = bytes.AsMemory(offset, Math.Min(piece, bytes.Length - offset));
            if (piece == 1) writer.WriteByte(slice.Span[0]); // the synchronous path
            else await writer.WriteAsync(slice);
        }
        var (digest, size) = await writer.CommitAsync(Digest.Sha256(bytes), bytes.Length);

        Assert.Equal(bytes.Length, size);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(store.PathOf(digest)));
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
    }

    [Fact]
    public async Task A_blob_of_exactly_whole_chunks_has_no_tail_and_is_stored_whole()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var bytes = RandomBytes(5 << 20, seed: 5);

        await using var writer = store.BeginWrite(direct: true);
        writer.Write(bytes, 0, bytes.Length);
        var (digest, _) = await writer.CommitAsync();

        Assert.Equal(Digest.Sha256(bytes), digest);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(store.PathOf(digest)));
    }

    [Fact]
    public async Task A_large_blob_that_is_not_committed_leaves_nothing_behind()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var bytes = RandomBytes(LargeSize, seed: 9);

        await using (var writer = store.BeginWrite(direct: true))
            await writer.WriteAsync(bytes);

        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
    }

    [Fact]
    public async Task A_large_blob_with_a_wrong_digest_is_refused_and_nothing_is_stored()
    {
        using var dir = new TempDirectory();
        var store = new FileContentStore(dir.Path);
        var bytes = RandomBytes(LargeSize, seed: 11);
        var announced = Digest.Sha256("something else"u8);

        await using (var writer = store.BeginWrite(direct: true))
        {
            await writer.WriteAsync(bytes);
            await Assert.ThrowsAsync<DigestMismatchException>(() => writer.CommitAsync(announced));
        }

        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
