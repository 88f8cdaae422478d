using Ashlar.Images.IO;

namespace Ashlar.Images.Layers.Tar;

/// <summary>The data of one tar entry: a window of <paramref name="length"/> bytes onto the archive stream.</summary>
internal sealed class EntryDataStream(Stream archive, long length) : ReadOnlyStream
{
    public long Remaining { get; private set; } = length;

    public override long Length { get; } = length;

    public override int Read(Span<byte> buffer)
    {
        if (Remaining == 0 || buffer.IsEmpty) return 0;
        var n = archive.Read(buffer[..(int)Math.Min(buffer.Length, Remaining)]);
        if (n == 0) throw Truncated();
        Remaining -= n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Remaining == 0 || buffer.IsEmpty) return 0;
        var n = await archive.ReadAsync(buffer[..(int)Math.Min(buffer.Length, Remaining)], cancellationToken);
        if (n == 0) throw Truncated();
        Remaining -= n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private static EndOfStreamException Truncated() => new("layer tar: the archive ends inside an entry's data (truncated layer)");
}
