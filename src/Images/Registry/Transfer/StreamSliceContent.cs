using System.Net;

namespace Ashlar.Images.Registry.Transfer;

/// <summary>
/// A request body of <paramref name="length"/> bytes from <paramref name="offset"/> of a blob, opened afresh each
/// time it is sent, so a retried or re-authorised request can send it again without buffering it in memory.
/// </summary>
internal sealed class StreamSliceContent(Func<Stream> open, long offset, long length) : HttpContent
{
    const int BufferSize = 1 << 20;

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var source = open();
        if (offset > 0)
        {
            if (source.CanSeek) source.Seek(offset, SeekOrigin.Begin);
            else await SkipAsync(source, offset, cancellationToken).ConfigureAwait(false);
        }
        var buffer = new byte[(int)Math.Min(BufferSize, Math.Max(length, 1))];
        var remaining = length;
        while (remaining > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new EndOfStreamException($"the blob ended {remaining} bytes before its announced size");
            await stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            remaining -= read;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override bool TryComputeLength(out long computed)
    {
        computed = length;
        return true;
    }

    static async Task SkipAsync(Stream source, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferSize];
        while (count > 0)
        {
            var read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken).ConfigureAwait(false);
            if (read == 0) throw new EndOfStreamException("the blob ended before the chunk's offset");
            count -= read;
        }
    }
}
