using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Threading.Channels;
using Ashlar.Images.Content;

namespace Ashlar.Images.Compression;

/// <summary>
/// gzip on several cores, as pigz does with independent blocks: the input is cut into fixed-size blocks, each
/// deflated on its own (a fresh compressor, so no back-reference crosses a block) and ended with a sync flush on a
/// byte boundary; the blocks are written in order, the last one final, between one gzip header and one trailer.
/// The result is a single ordinary gzip member that any gunzip reads. It is deterministic: block boundaries depend
/// only on the byte count, never on how the writes were split or how the threads ran.
/// The writer's thread only copies its bytes into blocks: the CRC-32 (and, when asked, the sha256 of the input, a
/// layer's DiffID) runs over the blocks in order on another, beside the compressors and the output's writer.
/// </summary>
internal sealed class ParallelGzipStream : Stream
{
    /// <summary>1 MiB blocks: enough work per task to dwarf its overhead; a fresh 32 KiB window per block costs well under 1% of ratio.</summary>
    public const int DefaultBlockSize = 1 << 20;

    // ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown): no name, no time, the same bytes on every machine.
    private static readonly byte[] Header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255];
    private static readonly byte[] EmptyFinalBlock = [3, 0];
    private const int StoredHeaderLength = 5;

    private readonly Stream _destination;
    private readonly bool _leaveOpen;
    private readonly CompressionLevel _level;
    private readonly int _blockSize;
    // Blocks being checksummed and compressed, in stream order; one writer task awaits each in turn and writes it
    // out, so hashing and writing the output (a BlobWriter hashes as it writes) run beside the caller's own work.
    private readonly Channel<PendingBlock> _blocks;
    private readonly Crc32 _crc = new();
    private readonly IncrementalHash? _inputHash;
    // The last block's checksumming: each block's waits for the one before, so the input is hashed in order.
    private Task _checksummed = Task.CompletedTask;
    private Digest? _inputDigest;
    private Task? _writer;
    private byte[] _block;
    private int _filled;
    private long _length;
    private bool _finished;

    /// <summary>
    /// A gzip stream into <paramref name="destination"/> in blocks of <paramref name="blockSize"/> bytes, compressed
    /// by up to <paramref name="parallelism"/> tasks (the core count by default); with <paramref name="hashInput"/>
    /// it also computes the sha256 of the uncompressed input (<see cref="InputDigest"/>).
    /// </summary>
    public ParallelGzipStream(Stream destination, CompressionLevel level = CompressionLevel.Fastest, bool leaveOpen = false,
        int blockSize = DefaultBlockSize, int? parallelism = null, bool hashInput = false)
    {
        _inputHash = hashInput ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        _destination = destination;
        _leaveOpen = leaveOpen;
        _level = level;
        _blockSize = blockSize;
        // Two blocks in flight per core keep every core busy while finished blocks wait to be written in order.
        var pending = 2 * Math.Max(1, parallelism ?? Environment.ProcessorCount);
        _blocks = Channel.CreateBounded<PendingBlock>(new BoundedChannelOptions(pending) { SingleReader = true, SingleWriter = true });
        _block = ArrayPool<byte>.Shared.Rent(blockSize);
    }

    /// <summary>The sha256 of everything written (with <c>hashInput</c>), once <see cref="FinishAsync"/> has run.</summary>
    public Digest InputDigest => _inputDigest ?? throw new InvalidOperationException(
        _inputHash is null ? "the input is not being hashed" : "the input digest is known once the stream is finished");

    /// <summary>Bytes written (uncompressed).</summary>
    public long InputLength => _length;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            var n = Append(buffer);
            buffer = buffer[n..];
            if (_filled == _blockSize) DispatchAsync(final: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (!buffer.IsEmpty)
        {
            var n = Append(buffer.Span);
            buffer = buffer[n..];
            if (_filled == _blockSize) await DispatchAsync(final: false, cancellationToken);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Append(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var n = Math.Min(data.Length, _blockSize - _filled);
        data[..n].CopyTo(_block.AsSpan(_filled));
        _filled += n;
        _length += n;
        return n;
    }

    /// <summary>
    /// Hands the filled block to a checksumming and a compressing task; waits while the writer is that many blocks
    /// behind. The writer gives the block back once both are done with it.
    /// </summary>
    private async ValueTask DispatchAsync(bool final, CancellationToken cancellationToken)
    {
        var block = _block;
        var length = _filled;
        var level = _level;
        var compressing = Task.Run(() => Compress(block, length, level, final));
        _checksummed = ChecksumAsync(_checksummed, block, length);
        var pending = new PendingBlock(block, compressing, _checksummed);
        _block = final ? [] : ArrayPool<byte>.Shared.Rent(_blockSize);
        _filled = 0;
        _writer ??= Task.Run(WriteBlocksAsync);
        try
        {
            await _blocks.Writer.WriteAsync(pending, cancellationToken);
        }
        catch (ChannelClosedException)
        {
            await _writer; // the writer failed: its exception is the one to report
            throw;
        }
    }

    /// <summary>CRC-32 (and sha256) of one block, after the blocks before it, on the thread pool.</summary>
    private async Task ChecksumAsync(Task previous, byte[] block, int length)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        _crc.Append(block.AsSpan(0, length));
        _inputHash?.AppendData(block, 0, length);
    }

    private async Task WriteBlocksAsync()
    {
        try
        {
            await _destination.WriteAsync(Header);
            var storedHeader = new byte[StoredHeaderLength];
            await foreach (var pending in _blocks.Reader.ReadAllAsync())
            {
                try
                {
                    var block = await pending.Compressing;
                    try
                    {
                        if (block.Stored) await WriteStoredAsync(block.Bytes.AsMemory(0, block.Length), block.Final, storedHeader);
                        else await _destination.WriteAsync(block.Bytes.AsMemory(0, block.Length));
                    }
                    finally
                    {
                        block.Return();
                    }
                }
                finally
                {
                    await pending.ReturnAsync();
                }
            }
        }
        catch (Exception e)
        {
            _blocks.Writer.TryComplete(e);
            throw;
        }
    }

    /// <summary>
    /// Writes an input block as stored (uncompressed) deflate blocks of at most 65,535 bytes, each after its 5-byte
    /// header, straight from the input buffer: no copy into an output buffer. The stream is on a byte boundary here.
    /// </summary>
    private async Task WriteStoredAsync(ReadOnlyMemory<byte> data, bool final, byte[] header)
    {
        do
        {
            var n = Math.Min(data.Length, ushort.MaxValue);
            header[0] = (byte)(final && n == data.Length ? 1 : 0); // BFINAL, BTYPE=00, then padding to the byte boundary
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(1), (ushort)n);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(3), (ushort)~n);
            await _destination.WriteAsync(header);
            await _destination.WriteAsync(data[..n]);
            data = data[n..];
        }
        while (!data.IsEmpty);
    }

    private static CompressedBlock Compress(byte[] block, int length, CompressionLevel level, bool final)
    {
        if (length == 0 && final) return new CompressedBlock(EmptyFinalBlock, EmptyFinalBlock.Length, Pooled: false);
        // The writer task writes an incompressible block as it is, from the input buffer.
        if (LooksIncompressible(block.AsSpan(0, length))) return new CompressedBlock(block, length, Pooled: false, Stored: true, Final: final);
        var output = new BlockBuffer(length / 2 + 1024);
        using (var deflate = new DeflateStream(output, level, leaveOpen: true))
        {
            deflate.Write(block, 0, length);
            if (!final)
            {
                // A sync flush ends the block on a byte boundary (an empty stored block); what disposing adds
                // after it, the final empty block, is not wanted mid-stream.
                deflate.Flush();
                output.Seal();
            }
        }
        return output.Result();
    }

    /// <summary>
    /// Whether a block is so close to random (already compressed files: .gz, .jpg, .zip, random data) that deflating
    /// it would only spend CPU: its byte distribution, sampled (1/16 of the block), is within 5% of uniform by the
    /// collision entropy (Rényi order 2), above 7.95 bits per byte. Integer arithmetic only, so the decision, and with
    /// it the layer's bytes, is the same on every machine and runtime; a miss only costs a little ratio.
    /// </summary>
    internal static bool LooksIncompressible(ReadOnlySpan<byte> block)
    {
        const int Piece = 256, Stride = 16 * Piece; // 64 KiB of a 1 MiB block
        if (block.Length < 4 * Stride) return false;
        Span<int> counts = stackalloc int[256];
        long sampled = 0;
        for (var start = 0; start + Piece <= block.Length; start += Stride)
        {
            foreach (var b in block.Slice(start, Piece)) counts[b]++;
            sampled += Piece;
        }
        // sum(c * (c - 1)) / (n * (n - 1)) estimates sum(p^2) without bias; uniform bytes give 1/256 and the
        // collision entropy -log2(sum(p^2)) is above 7.95 bits when 256 * sum(p^2) < 2^0.05 = 1.0353.
        long collisions = 0;
        foreach (var count in counts) collisions += (long)count * (count - 1);
        return 256 * collisions * 10_000 < sampled * (sampled - 1) * 10_353;
    }

    private byte[] Trailer()
    {
        var trailer = new byte[8];
        _crc.GetCurrentHash(trailer.AsSpan(0, 4)); // little-endian, as gzip wants it
        BitConverter.TryWriteBytes(trailer.AsSpan(4), (uint)_length); // ISIZE: the length modulo 2^32
        if (!BitConverter.IsLittleEndian) trailer.AsSpan(4).Reverse();
        return trailer;
    }

    /// <summary>Compresses what is buffered as the final block and writes everything, the trailer last.</summary>
    public async ValueTask FinishAsync(CancellationToken cancellationToken = default)
    {
        if (_finished) return;
        await DispatchAsync(final: true, cancellationToken);
        _finished = true;
        _blocks.Writer.TryComplete();
        await _writer!;
        await _checksummed;
        if (_inputHash is not null) _inputDigest = Digest.FromHash(_inputHash.GetCurrentHash());
        await _destination.WriteAsync(Trailer(), cancellationToken);
        await _destination.FlushAsync(cancellationToken);
    }

    public override async ValueTask DisposeAsync()
    {
        try
        {
            await FinishAsync();
        }
        finally
        {
            await CleanupAsync();
            if (!_leaveOpen) await _destination.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                FinishAsync().AsTask().GetAwaiter().GetResult();
            }
            finally
            {
                CleanupAsync().AsTask().GetAwaiter().GetResult();
                if (!_leaveOpen) _destination.Dispose();
            }
        }
        base.Dispose(disposing);
    }

    // After a failure blocks may still be compressing or queued: let them finish and give their buffers back.
    private async ValueTask CleanupAsync()
    {
        _finished = true;
        _blocks.Writer.TryComplete();
        if (_writer is not null)
        {
            try { await _writer; }
            catch (Exception) { /* the failure that got us here is the one to report */ }
        }
        while (_blocks.Reader.TryRead(out var pending))
        {
            try { (await pending.Compressing).Return(); }
            catch (Exception) { /* as above */ }
            await pending.ReturnAsync();
        }
        try { await _checksummed; }
        catch (Exception) { /* as above */ }
        _inputHash?.Dispose();
        if (_block.Length > 0) ArrayPool<byte>.Shared.Return(_block);
        _block = [];
    }

    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>An input block on its way: being checksummed and compressed.</summary>
    private sealed record PendingBlock(byte[] Input, Task<CompressedBlock> Compressing, Task Checksummed)
    {
        /// <summary>Gives the input buffer back once nothing reads it any more (a failed checksum is reported by FinishAsync).</summary>
        public async Task ReturnAsync()
        {
            try { await Checksummed; }
            catch (Exception) { /* awaited again, and reported, at the end */ }
            try { await Compressing; }
            catch (Exception) { /* reported by the writer */ }
            ArrayPool<byte>.Shared.Return(Input);
        }
    }

    /// <summary>A deflated block in a pooled buffer, or (<paramref name="Stored"/>) an input block to write as stored blocks.</summary>
    private readonly record struct CompressedBlock(byte[] Bytes, int Length, bool Pooled = true, bool Stored = false, bool Final = false)
    {
        public void Return()
        {
            if (Pooled) ArrayPool<byte>.Shared.Return(Bytes);
        }
    }

    /// <summary>Collects one block's deflate output in a pooled buffer; after <see cref="Seal"/> further writes are dropped.</summary>
    private sealed class BlockBuffer(int capacity) : Stream
    {
        private byte[] _bytes = ArrayPool<byte>.Shared.Rent(capacity);
        private int _length;
        private bool _sealed;

        public void Seal() => _sealed = true;

        public CompressedBlock Result() => new(_bytes, _length);

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_sealed) return;
            if (_length + buffer.Length > _bytes.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _length + buffer.Length));
                _bytes.AsSpan(0, _length).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = larger;
            }
            buffer.CopyTo(_bytes.AsSpan(_length));
            _length += buffer.Length;
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
