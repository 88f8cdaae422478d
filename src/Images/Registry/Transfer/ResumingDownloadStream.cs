using Ashlar.Images.IO;

namespace Ashlar.Images.Registry.Transfer;

/// <summary>
/// A blob's response body that survives dropped connections: when a read fails part-way, the rest is asked for again
/// from the current offset (an HTTP <c>Range</c> request) and reading goes on, a bounded number of times. The reader
/// (the content store, hashing as it writes) never sees the break, so nothing already received is fetched twice.
/// </summary>
internal sealed class ResumingDownloadStream(Stream first, long length, Func<long, CancellationToken, Task<Stream>> reopenAt,
    RetryPolicy retry, TimeSpan stallTimeout) : ReadOnlyStream
{
    Stream current = first;
    long position;
    int resumes;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                // A connection that stays silent is as broken as one that was reset; SocketsHttpHandler has no read timeout.
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(stallTimeout);
                int read;
                try
                {
                    read = await current.ReadAsync(buffer, idle.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new IOException($"no data for {stallTimeout.TotalSeconds:F0} seconds", e);
                }
                position += read;
                return read;
            }
            catch (Exception e) when (position < length && resumes < retry.MaxRetries && RetryPolicy.IsTransient(e, cancellationToken))
            {
                await current.DisposeAsync().ConfigureAwait(false);
                await retry.DelayAsync(resumes++, cancellationToken).ConfigureAwait(false);
                current = await reopenAt(position, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Length => length;
    public override long Position { get => position; set => throw new NotSupportedException(); }

    protected override void Dispose(bool disposing)
    {
        if (disposing) current.Dispose();
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await current.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
