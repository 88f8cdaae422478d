using System.Security.Cryptography;
using Ashlar.Images.Native;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Images.Content;

/// <summary>
/// A blob being written: bytes go to a private temp file in the store (same filesystem) and into a hash;
/// <see cref="CommitAsync"/> verifies, fsyncs and renames it into place. Disposing without commit discards it.
/// </summary>
/// <remarks>
/// Bytes are staged in page-aligned chunks, each full chunk written in the background while the next one fills.
/// A direct writer (a layer a build just made, which nothing reads soon) switches to O_DIRECT once the blob outgrows
/// one chunk: the bytes go from our buffers to the disk without being copied into the page cache, which for a fresh
/// 100 MB blob costs more CPU than hashing it (the kernel allocates and fills a page per 4 KiB), and the commit's
/// fsync then has nothing left to write. Other blobs (a pulled layer is unpacked right after, from the page cache),
/// small ones and filesystems without O_DIRECT go through the page cache, with writeback started early.
/// </remarks>
public sealed class BlobWriter : Stream
{
    private const int ChunkSize = 1 << 20;
    // Chunks being written while the next fills: enough to ride out a slow write without holding much memory.
    private const int Chunks = 4;
    // Every this many bytes a buffered file is asked to start writing out (without waiting), so the fsync in
    // CommitAsync overlaps with producing the blob instead of following it.
    private const long WritebackStep = 8 << 20;

    private readonly FileContentStore _store;
    private readonly string _tempPath;
    private readonly SafeFileHandle _file;
    private readonly IncrementalHash _hash;
    private readonly string _algorithm;
    private readonly AlignedBuffer?[] _chunks = new AlignedBuffer?[Chunks];
    private readonly Task?[] _writes = new Task?[Chunks];
    private int _current;
    private int _filled;
    private long _submitted;
    private readonly bool _wantDirect;
    private bool? _direct;
    private long _writebackFrom;
    private bool _committed;

    internal BlobWriter(FileContentStore store, string tempPath, string algorithm, bool direct)
    {
        _wantDirect = direct;
        _store = store;
        _tempPath = tempPath;
        _algorithm = algorithm;
        _hash = IncrementalHash.CreateHash(algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        _file = File.OpenHandle(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None);
    }

    /// <summary>Bytes written so far.</summary>
    public long Written { get; private set; }

    /// <summary>
    /// Makes the blob visible. Throws <see cref="DigestMismatchException"/> (and stores nothing) when the bytes do
    /// not hash to <paramref name="expected"/> or their count differs from <paramref name="expectedSize"/>.
    /// </summary>
    public async Task<(Digest Digest, long Size)> CommitAsync(Digest? expected = null, long? expectedSize = null, string? source = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        var actual = new Digest(_algorithm, Convert.ToHexStringLower(_hash.GetHashAndReset()));
        if (expected is { } e && e != actual)
            throw new DigestMismatchException(e, actual, source);
        if (expectedSize is { } size && size != Written)
            throw new InvalidDataException($"size mismatch{(source is null ? "" : $" for {source}")}: expected {size} bytes, got {Written}; the content was not stored");

        foreach (var write in _writes)
            if (write is not null) await write.ConfigureAwait(false);
        if (_filled > 0)
        {
            // The tail is not a whole number of blocks, which O_DIRECT cannot write: it goes through the page cache.
            if (_direct == true) LibC.SetDirectIo(_file, on: false);
            await RandomAccess.WriteAsync(_file, _chunks[_current]!.Memory[.._filled], _submitted, cancellationToken).ConfigureAwait(false);
        }
        RandomAccess.FlushToDisk(_file);
        _file.Dispose();
        var final = _store.PathOf(actual);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        // rename(2) is atomic: readers see no blob or the whole blob. A concurrent writer of the same blob
        // renames identical bytes over it, which is harmless.
        File.Move(_tempPath, final, overwrite: true);
        FileContentStore.SyncDirectory(Path.GetDirectoryName(final)!);
        _committed = true;
        FreeChunks();
        return (actual, Written);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        _hash.AppendData(buffer);
        Written += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var n = Stage(buffer);
            buffer = buffer[n..];
            if (_filled == ChunkSize)
            {
                Submit();
                _writes[_current]?.GetAwaiter().GetResult();
            }
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        _hash.AppendData(buffer.Span);
        Written += buffer.Length;
        while (!buffer.IsEmpty)
        {
            var n = Stage(buffer.Span);
            buffer = buffer[n..];
            if (_filled == ChunkSize)
            {
                Submit();
                if (_writes[_current] is { } previous) await previous.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Copies what fits into the current chunk.</summary>
    private int Stage(ReadOnlySpan<byte> data)
    {
        var chunk = _chunks[_current] ??= new AlignedBuffer(ChunkSize);
        var n = Math.Min(data.Length, ChunkSize - _filled);
        data[..n].CopyTo(chunk.GetSpan()[_filled..]);
        _filled += n;
        return n;
    }

    /// <summary>Starts writing the full current chunk and moves on to the next one (whose last write the caller awaits).</summary>
    private void Submit()
    {
        // Decided once, when the blob first fills a chunk: a small blob never gets here.
        _direct ??= _wantDirect && LibC.SetDirectIo(_file, on: true);
        var write = RandomAccess.WriteAsync(_file, _chunks[_current]!.Memory, _submitted).AsTask();
        _writes[_current] = write;
        _submitted += ChunkSize;
        if (_direct == false) StartWriteback(write);
        _current = (_current + 1) % Chunks;
        _filled = 0;
    }

    private void StartWriteback(Task written)
    {
        if (_submitted - _writebackFrom < WritebackStep) return;
        var (from, to) = (_writebackFrom, _submitted);
        _writebackFrom = to;
        // Best effort, once the range is in the page cache: a filesystem without it (or an error) only loses the head start.
        _writes[_current] = written.ContinueWith(w =>
        {
            w.GetAwaiter().GetResult();
            _ = LibC.SyncFileRange(_file, from, to - from, LibC.SYNC_FILE_RANGE_WRITE);
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeCore();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        DisposeCore();
        await base.DisposeAsync();
    }

    private void DisposeCore()
    {
        if (!_committed)
        {
            // Writes still running use the chunks and the handle: let them end before both go.
            foreach (var write in _writes)
                if (write is not null) try { write.GetAwaiter().GetResult(); } catch (Exception) { /* the blob is discarded anyway */ }
            _file.Dispose();
            File.Delete(_tempPath);
            _committed = true;
            FreeChunks();
        }
        _hash.Dispose();
    }

    private void FreeChunks()
    {
        for (var i = 0; i < _chunks.Length; i++)
        {
            ((IDisposable?)_chunks[i])?.Dispose();
            _chunks[i] = null;
        }
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Written;
    public override long Position { get => Written; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
