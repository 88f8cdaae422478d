using Ashlar.Images.IO;

namespace Ashlar.Images.Registry.Transfer;

/// <summary>A response body that disposes its response (and so frees its pooled connection) with it.</summary>
internal sealed class ResponseStream(HttpResponseMessage response, Stream body) : ReadOnlyStream
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => body.ReadAsync(buffer, cancellationToken);
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => body.ReadAsync(buffer, offset, count, cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => body.Read(buffer, offset, count);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Dispose();
            response.Dispose();
        }
        base.Dispose(disposing);
    }
}
