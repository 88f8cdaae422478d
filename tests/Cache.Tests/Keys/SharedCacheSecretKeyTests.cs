using System.Text;
using Ashlar.Cache.Keys;

namespace Ashlar.Cache.Tests.Keys;

/// <summary>A fleet's shared key file: the same file gives the same secret HMACs in every store, another file others.</summary>
public sealed class SharedCacheSecretKeyTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string KeyFile(string name, string content)
    {
        var path = Path.Combine(_directory.Path, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static CacheKey KeyWith(CacheSecretKey secrets, string content) =>
        new CacheKeyBuilder(CacheKey.Scratch, "exec", "{}", secrets).AddSecret("token", Encoding.UTF8.GetBytes(content)).Build().Key;

    [Fact]
    public void The_same_key_file_gives_the_same_keys_and_another_file_others()
    {
        var hex = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var one = CacheSecretKey.LoadShared(KeyFile("one", hex + "\n"));
        var copy = CacheSecretKey.LoadShared(KeyFile("copy", hex)); // a copy without the newline is the same key
        var other = CacheSecretKey.LoadShared(KeyFile("other", Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))));

        Assert.Equal(KeyWith(one, "s3cr3t"), KeyWith(copy, "s3cr3t"));
        Assert.NotEqual(KeyWith(one, "s3cr3t"), KeyWith(one, "s3cr3t!"));
        Assert.NotEqual(KeyWith(one, "s3cr3t"), KeyWith(other, "s3cr3t"));
        // Nor is it the key of a store that has its own.
        Assert.NotEqual(KeyWith(one, "s3cr3t"), KeyWith(CacheSecretKey.LoadOrCreate(_directory.Path), "s3cr3t"));
    }

    [Fact]
    public void A_short_key_file_is_refused_naming_it()
    {
        var path = KeyFile("short", "  too-short  \n");
        var error = Assert.Throws<InvalidDataException>(() => CacheSecretKey.LoadShared(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("at least 32 bytes", error.Message);
    }

    [Fact]
    public void A_missing_key_file_is_reported_naming_it()
    {
        var path = Path.Combine(_directory.Path, "absent");
        var error = Assert.Throws<IOException>(() => CacheSecretKey.LoadShared(path));
        Assert.Contains(path, error.Message);
    }
}
