using System.Collections.Concurrent;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Export;

/// <summary>
/// A throwaway content store for the small blobs an import reads once (cache configs), so they are verified like
/// any download but never left behind in the user's store.
/// </summary>
internal sealed class MemoryContentStore : IContentStore
{
    private readonly ConcurrentDictionary<Digest, byte[]> _blobs = new();

    public bool Exists(Digest digest) => _blobs.ContainsKey(digest);

    public long? SizeOf(Digest digest) => _blobs.TryGetValue(digest, out var bytes) ? bytes.Length : null;

    public Stream OpenRead(Digest digest) =>
        _blobs.TryGetValue(digest, out var bytes) ? new MemoryStream(bytes, writable: false) : throw new BlobNotFoundException(digest);

    public byte[] ReadAll(Digest digest) => _blobs.TryGetValue(digest, out var bytes) ? bytes : throw new BlobNotFoundException(digest);

    public async Task<(Digest Digest, long Size)> WriteAsync(Stream content, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        var digest = Digest.Sha256(bytes);
        if (expected is { } wanted && wanted != digest) throw new DigestMismatchException(wanted, digest);
        if (expectedSize is { } size && size != bytes.Length)
            throw new InvalidDataException($"blob {digest} is {bytes.Length} bytes, expected {size}");
        _blobs[digest] = bytes;
        return (digest, bytes.Length);
    }

    public bool Delete(Digest digest) => _blobs.TryRemove(digest, out _);

    public IEnumerable<Digest> List() => _blobs.Keys;
}
