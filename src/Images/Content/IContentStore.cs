namespace Ashlar.Images.Content;

/// <summary>
/// A content-addressed blob store in containerd's shape: a blob that is in the store is correct by
/// construction, because a write is verified against its digest before it becomes visible by an atomic rename.
/// </summary>
public interface IContentStore
{
    /// <summary>Whether the blob is present (and complete).</summary>
    bool Exists(Digest digest);

    /// <summary>The size of a present blob, or null when it is absent.</summary>
    long? SizeOf(Digest digest);

    /// <summary>Opens a present blob for reading; throws <see cref="BlobNotFoundException"/> when it is absent.</summary>
    Stream OpenRead(Digest digest);

    /// <summary>
    /// Streams <paramref name="content"/> into the store. When <paramref name="expected"/> is given the written
    /// bytes must hash to it (and match <paramref name="expectedSize"/> when given), otherwise nothing is stored
    /// and <see cref="DigestMismatchException"/> is thrown. Returns the digest and size of what was stored.
    /// </summary>
    Task<(Digest Digest, long Size)> WriteAsync(Stream content, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default);

    /// <summary>Removes a blob; returns whether it was there.</summary>
    bool Delete(Digest digest);

    /// <summary>Every blob in the store.</summary>
    IEnumerable<Digest> List();
}

/// <summary>A blob was asked for that the store does not hold.</summary>
public sealed class BlobNotFoundException(Digest digest)
    : Exception($"blob {digest} is not in the store")
{
    /// <summary>The missing blob.</summary>
    public Digest Digest { get; } = digest;
}

/// <summary>Content did not hash to the digest it was announced with; nothing was stored.</summary>
public sealed class DigestMismatchException(Digest expected, Digest actual, string? source = null)
    : Exception($"digest mismatch{(source is null ? "" : $" for {source}")}: expected {expected}, got {actual}; the content was not stored")
{
    /// <summary>The announced digest.</summary>
    public Digest Expected { get; } = expected;

    /// <summary>What the content really hashed to.</summary>
    public Digest Actual { get; } = actual;
}
