using Ashlar.Images.Native;

namespace Ashlar.Images.Content;

/// <summary>
/// The content store on disk, laid out as an OCI image layout's <c>blobs/&lt;algorithm&gt;/&lt;hex&gt;</c>.
/// Writes stream into <c>ingest/</c> (same filesystem) while hashing and appear only by atomic rename.
/// </summary>
public sealed class FileContentStore : IContentStore
{
    private const string IngestDirectory = "ingest";

    /// <summary>Opens (and creates if needed) a content store rooted at <paramref name="root"/>.</summary>
    public FileContentStore(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(Root, "blobs", "sha256"));
        Directory.CreateDirectory(Path.Combine(Root, IngestDirectory));
    }

    /// <summary>The store's root directory.</summary>
    public string Root { get; }

    /// <summary>The path a blob has (or would have) in the store.</summary>
    public string PathOf(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Hex);

    /// <inheritdoc />
    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    /// <inheritdoc />
    public long? SizeOf(Digest digest)
    {
        var info = new FileInfo(PathOf(digest));
        return info.Exists ? info.Length : null;
    }

    /// <inheritdoc />
    public Stream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(PathOf(digest), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
        catch (DirectoryNotFoundException)
        {
            throw new BlobNotFoundException(digest);
        }
    }

    /// <summary>Reads a whole (small) blob, such as a manifest or config.</summary>
    public async Task<byte[]> ReadAllBytesAsync(Digest digest, CancellationToken cancellationToken = default)
    {
        await using var stream = OpenRead(digest);
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>
    /// Starts writing a blob whose digest is not known in advance (e.g. a layer being compressed).
    /// <paramref name="algorithm"/> is sha256 unless the blob is announced as sha512. A <paramref name="direct"/>
    /// writer bypasses the page cache (O_DIRECT) once the blob is over 1 MiB: for large blobs nothing reads soon,
    /// such as a layer a build just made.
    /// </summary>
    public BlobWriter BeginWrite(string algorithm = "sha256", bool direct = false)
    {
        var temp = Path.Combine(Root, IngestDirectory, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        return new BlobWriter(this, temp, algorithm, direct);
    }

    /// <inheritdoc />
    public async Task<(Digest Digest, long Size)> WriteAsync(Stream content, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        if (expected is { } known && SizeOf(known) is { } present && (expectedSize is null || expectedSize == present))
            return (known, MarkUsed(known, present));
        await using var writer = BeginWrite(expected?.Algorithm ?? "sha256");
        await content.CopyToAsync(writer, 1 << 20, cancellationToken);
        return await writer.CommitAsync(expected, expectedSize, cancellationToken: cancellationToken);
    }

    /// <summary>Stores a small in-memory blob.</summary>
    public async Task<(Digest Digest, long Size)> WriteAsync(ReadOnlyMemory<byte> content, Digest? expected = null, CancellationToken cancellationToken = default)
    {
        if (expected is { Algorithm: not "sha256" } other)
        {
            await using var stream = new MemoryStream(content.ToArray(), writable: false);
            return await WriteAsync(stream, other, content.Length, cancellationToken);
        }
        var digest = Digest.Sha256(content.Span);
        if (expected is { } e && e != digest) throw new DigestMismatchException(e, digest);
        if (SizeOf(digest) == content.Length) return (digest, MarkUsed(digest, content.Length));
        await using var writer = BeginWrite();
        await writer.WriteAsync(content, cancellationToken);
        return await writer.CommitAsync(expected ?? digest, content.Length, cancellationToken: cancellationToken);
    }

    // A write that finds its blob already there counts as writing it: the garbage collector keeps what a running build
    // wrote since it began, by mtime, and must not take a blob the build is about to reference.
    private long MarkUsed(Digest digest, long size)
    {
        try { File.SetLastWriteTimeUtc(PathOf(digest), DateTime.UtcNow); }
        catch (IOException) { } // removed meanwhile: the caller's next use reports it
        catch (UnauthorizedAccessException) { } // a read-only store: nothing collects it either
        return size;
    }

    /// <inheritdoc />
    public bool Delete(Digest digest)
    {
        var path = PathOf(digest);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    /// <inheritdoc />
    public IEnumerable<Digest> List()
    {
        var blobs = Path.Combine(Root, "blobs");
        if (!Directory.Exists(blobs)) yield break;
        foreach (var algorithmDirectory in Directory.EnumerateDirectories(blobs))
        foreach (var file in Directory.EnumerateFiles(algorithmDirectory))
            if (Digest.TryParse($"{Path.GetFileName(algorithmDirectory)}:{Path.GetFileName(file)}", out var digest))
                yield return digest;
    }

    /// <summary>Removes temp files of writers that died (older than <paramref name="olderThan"/>).</summary>
    public int CleanIngest(TimeSpan olderThan)
    {
        var removed = 0;
        foreach (var file in new DirectoryInfo(Path.Combine(Root, IngestDirectory)).EnumerateFiles())
            if (DateTime.UtcNow - file.LastWriteTimeUtc > olderThan)
            {
                file.Delete();
                removed++;
            }
        return removed;
    }

    /// <summary>fsync a directory so a rename in it survives a crash.</summary>
    internal static void SyncDirectory(string directory)
    {
        var fd = LibC.Open(directory, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0) return;
        LibC.Fsync(fd);
        LibC.Close(fd);
    }
}
