using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Native;

namespace Ashlar.Cache.Keys;

/// <summary>
/// The key that secrets are HMAC'd with before they reach a cache key, so neither a key nor the index reveals
/// anything about a secret (not even a guessable one), yet a changed secret misses. By default a per-store random key
/// in <c>&lt;store root&gt;/cache/secret-key</c>, mode 0600, created once: then no two stores share the cache entries
/// of steps that use secrets. Runners of a fleet that should share them load one key file they all hold
/// (<see cref="LoadShared"/>); that key is only read, never copied into a store, an index or an exported cache.
/// </summary>
public sealed class CacheSecretKey
{
    private const int Length = 32;
    private const int SharedMinimumLength = 32;
    private static readonly byte[] SharedKeyInfo = "ashlar cache secret key v1"u8.ToArray();
    private readonly byte[] _key;

    private CacheSecretKey(byte[] key) => _key = key;

    /// <summary>
    /// Loads a key shared by several stores from <paramref name="path"/>: any file of at least 32 bytes besides
    /// surrounding whitespace (e.g. <c>openssl rand -hex 32</c>), run through HKDF-SHA256, so stores that load the same
    /// file hit each other's secret-using steps and stores with different files never do.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is too short to be a key.</exception>
    /// <exception cref="IOException">The file cannot be read (the message names it).</exception>
    public static CacheSecretKey LoadShared(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"cache secret key file {path}: {e.Message}", e);
        }
        try
        {
            var material = bytes.AsSpan().Trim(" \t\r\n"u8);
            if (material.Length < SharedMinimumLength)
                throw new InvalidDataException($"cache secret key file {path}: expected at least {SharedMinimumLength} bytes of key material (e.g. openssl rand -hex 32), found {material.Length}");
            var input = material.ToArray();
            try { return new CacheSecretKey(HKDF.DeriveKey(HashAlgorithmName.SHA256, input, Length, salt: [], info: SharedKeyInfo)); }
            finally { CryptographicOperations.ZeroMemory(input); }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Loads the store's key, creating it atomically on first use (concurrent creators agree on one).</summary>
    public static CacheSecretKey LoadOrCreate(string storeRoot) => LoadOrCreateFile(Path.Combine(storeRoot, "cache", "secret-key"));

    internal static CacheSecretKey LoadOrCreateFile(string path)
    {
        if (TryLoad(path) is { } existing) return existing;
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".secret-key-{Guid.NewGuid():N}");
        try
        {
            var key = RandomNumberGenerator.GetBytes(Length);
            using (var stream = new FileStream(temp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                stream.Write(key);
                stream.Flush(flushToDisk: true);
            }
            // link(2) never replaces an existing name: the first creator wins and everyone else reads its key.
            // (File.Move without overwrite is not atomic against a concurrent creator.)
            if (LibC.LinkAt(LibC.AT_FDCWD, temp, LibC.AT_FDCWD, path, 0) == 0) return new CacheSecretKey(key);
            var errno = LibC.LastError;
            if (errno != LibC.EEXIST) throw new IOException($"cache secret key {path}: could not be created (errno {errno})");
        }
        finally
        {
            File.Delete(temp);
        }
        return TryLoad(path) ?? throw new IOException($"cache secret key {path}: could not be created");
    }

    private static CacheSecretKey? TryLoad(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        if (bytes.Length != Length)
            throw new InvalidDataException($"cache secret key {path}: expected {Length} bytes, found {bytes.Length}");
        return new CacheSecretKey(bytes);
    }

    /// <summary>HMAC-SHA256 over the secret's id and content, each length-prefixed so (id, content) pairs cannot collide.</summary>
    internal Digest Seal(string id, ReadOnlySpan<byte> content)
    {
        var idBytes = Encoding.UTF8.GetBytes(id);
        var message = new byte[8 + idBytes.Length + 8 + content.Length];
        BinaryPrimitives.WriteInt64BigEndian(message, idBytes.Length);
        idBytes.CopyTo(message, 8);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(8 + idBytes.Length), content.Length);
        content.CopyTo(message.AsSpan(16 + idBytes.Length));
        try { return new Digest("sha256", Convert.ToHexStringLower(HMACSHA256.HashData(_key, message))); }
        finally { CryptographicOperations.ZeroMemory(message); }
    }
}
