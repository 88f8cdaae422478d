using System.IO.Compression;
using System.Security.Cryptography;
using Ashlar.Images.Compression;

namespace Ashlar.Images.Tests.Compression;

/// <summary>The gzip stream's own hash of its input (a layer's DiffID), and a failing destination.</summary>
public class ParallelGzipHashingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((3 << 20) + 17)]
    public async Task The_input_digest_and_length_are_those_of_the_uncompressed_bytes(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data.AsSpan(0, length / 2));
        var output = new MemoryStream();
        await using (var gzip = new ParallelGzipStream(output, CompressionLevel.Fastest, leaveOpen: true, hashInput: true))
        {
            for (var offset = 0; offset < data.Length; offset += 100_000)
                await gzip.WriteAsync(data.AsMemory(offset, Math.Min(100_000, data.Length - offset)));
            await gzip.FinishAsync();
            Assert.Equal("sha256:" + Convert.ToHexStringLower(SHA256.HashData(data)), gzip.InputDigest.ToString());
            Assert.Equal(length, gzip.InputLength);
        }

        var decompressed = new MemoryStream();
        await using (var reader = new GZipStream(new MemoryStream(output.ToArray()), CompressionMode.Decompress))
            await reader.CopyToAsync(decompressed);
        Assert.Equal(data, decompressed.ToArray());
    }

    [Fact]
    public async Task The_input_digest_is_refused_before_the_end_and_without_hashing()
    {
        await using var hashing = new ParallelGzipStream(new MemoryStream(), hashInput: true);
        await hashing.WriteAsync(new byte[10]);
        Assert.Throws<InvalidOperationException>(() => hashing.InputDigest);

        await using var plain = new ParallelGzipStream(new MemoryStream());
        await plain.FinishAsync();
        Assert.Throws<InvalidOperationException>(() => plain.InputDigest);
    }

    [Fact]
    public async Task A_destination_that_fails_fails_the_stream_with_its_error()
    {
        var data = new byte[8 << 20];
        new Random(8).NextBytes(data);
        var gzip = new ParallelGzipStream(new FailingStream(afterBytes: 3 << 20), leaveOpen: true, hashInput: true);

        var error = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await using (gzip)
            {
                for (var offset = 0; offset < data.Length; offset += 1 << 16)
                    await gzip.WriteAsync(data.AsMemory(offset, 1 << 16));
                await gzip.FinishAsync();
            }
        });
        Assert.Equal("disk full", error.Message);
    }

    /// <summary>Takes <c>afterBytes</c> bytes, then fails every write.</summary>
    private sealed class FailingStream(long afterBytes) : Stream
    {
        private long _written;

        public override void Write(byte[] buffer, int offset, int count)
        {
            _written += count;
            if (_written > afterBytes) throw new IOException("disk full");
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
