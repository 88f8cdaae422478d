using System.Security.Cryptography;
using Ashlar.Images.Native;

namespace Ashlar.Images.Content;

/// <summary>
/// A blob being written: bytes go to a private temp file in the store (same filesystem) and into a hash;
/// <see cref="CommitAsync"/> verifies, fsyncs and renames it into place. Disposing without commit discards it.
/// </summary>
public sealed class BlobWriter : Stream
{
    private readonly FileContentStore _store;
    private readonly string _tempPath;
    private readonly FileStream _file;
    private readonly IncrementalHash _hash;
    private readonly string _algorithm;
    private bool _committed;

    // Every this many bytes the kernel is asked to start writing the file out (without waiting), so the fsync in
    // CommitAsync overlaps with producing the blob instead of following it: a large layer commits in far less time.
    private const long WritebackStep = 8 << 20;
    private long _writebackFrom;

    internal BlobWriter(FileContentStore store, string tempPath, string algorithm)
    {
        _store = store;
        _tempPath = tempPath;
        _algorithm = algorithm;
        _hash = IncrementalHash.CreateHash(algorithm == "sha512" ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        _file = new FileStream(tempPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
            BufferSize = 1 << 16, Options = FileOptions.Asynchronous,
        });
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

        await _file.FlushAsync(cancellationToken);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync();
        var final = _store.PathOf(actual);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        // rename(2) is atomic: readers see no blob or the whole blob. A concurrent writer of the same blob
        // renames identical bytes over it, which is harmless.
        File.Move(_tempPath, final, overwrite: true);
        FileContentStore.SyncDirectory(Path.GetDirectoryName(final)!);
        _committed = true;
        return (actual, Written);
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        _file.Write(buffer);
        Written += buffer.Length;
        StartWriteback();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        await _file.WriteAsync(buffer, cancellationToken);
        Written += buffer.Length;
        StartWriteback();
    }

    private void StartWriteback()
    {
        if (Written - _writebackFrom < WritebackStep) return;
        // Best effort: a filesystem without it (or an error) only loses the head start.
        _ = LibC.SyncFileRange(_file.SafeFileHandle, _writebackFrom, 0, LibC.SYNC_FILE_RANGE_WRITE);
        _writebackFrom = Written - (1 << 16); // what FileStream may still buffer goes in the next range
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void WriteByte(byte value) => Write([value]);

    protected override void Dispose(bool disposing)
    {
        if (disposing) DisposeCore();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_committed) await _file.DisposeAsync();
        DisposeCore();
        await base.DisposeAsync();
    }

    private void DisposeCore()
    {
        _file.Dispose();
        _hash.Dispose();
        if (!_committed) File.Delete(_tempPath);
        _committed = true;
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
