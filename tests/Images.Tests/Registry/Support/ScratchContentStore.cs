using System.Security.Cryptography;
using Ashlar.Images.Content;

namespace Ashlar.Images.Tests.Registry.Support;

/// <summary>
/// A minimal on-disk content store for the registry tests until the real store lands on this branch:
/// verifies on write, renames into place, nothing half-written is visible.
/// </summary>
internal sealed class ScratchContentStore(string root) : IContentStore
{
    string PathOf(Digest digest) => Path.Combine(root, digest.Algorithm, digest.Hex);

    public bool Exists(Digest digest) => File.Exists(PathOf(digest));

    public long? SizeOf(Digest digest) => File.Exists(PathOf(digest)) ? new FileInfo(PathOf(digest)).Length : null;

    public Stream OpenRead(Digest digest) =>
        Exists(digest) ? File.OpenRead(PathOf(digest)) : throw new BlobNotFoundException(digest);

    public async Task<(Digest Digest, long Size)> WriteAsync(Stream content, Digest? expected = null, long? expectedSize = null, CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.Combine(root, "ingest"));
        var temporary = Path.Combine(root, "ingest", Guid.NewGuid().ToString("N"));
        try
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = File.Create(temporary))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }
            }
            var actual = Digest.FromHash(hash.GetHashAndReset());
            if (expected is { } wanted && wanted != actual) throw new DigestMismatchException(wanted, actual);
            if (expectedSize is { } wantedSize && wantedSize != size) throw new InvalidDataException($"size {size} != {wantedSize}");
            Directory.CreateDirectory(Path.Combine(root, actual.Algorithm));
            File.Move(temporary, PathOf(actual), overwrite: true);
            return (actual, size);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public bool Delete(Digest digest)
    {
        var existed = Exists(digest);
        File.Delete(PathOf(digest));
        return existed;
    }

    public IEnumerable<Digest> List() =>
        Directory.Exists(Path.Combine(root, "sha256"))
            ? Directory.EnumerateFiles(Path.Combine(root, "sha256")).Select(f => new Digest("sha256", Path.GetFileName(f)))
            : [];
}
