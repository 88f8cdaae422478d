using System.Text;
using Ashlar.Cache.Index;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;

namespace Ashlar.Cache.Tests.Keys;

public sealed class CacheSecretKeyTests : IDisposable
{
    private readonly TempDirectory _store = new();

    public void Dispose() => _store.Dispose();

    private string KeyPath => Path.Combine(_store.Path, "cache", "secret-key");

    private static CacheKey KeyWith(CacheSecretKey secrets, string content) =>
        new CacheKeyBuilder(CacheKey.Scratch, "exec", "{}", secrets).AddSecret("token", Encoding.UTF8.GetBytes(content)).Build().Key;

    [Fact]
    public void The_key_is_created_once_private_and_reused()
    {
        var first = CacheSecretKey.LoadOrCreate(_store.Path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Equal(32, new FileInfo(KeyPath).Length);
        var second = CacheSecretKey.LoadOrCreate(_store.Path);
        Assert.Equal(KeyWith(first, "x"), KeyWith(second, "x"));
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(KeyPath)!)); // no temporary file left
    }

    [Fact]
    public async Task Concurrent_creators_agree_on_one_key()
    {
        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => CacheSecretKey.LoadOrCreate(_store.Path))));
        Assert.Single(keys.Select(k => KeyWith(k, "x")).Distinct());
    }

    [Fact]
    public void Another_store_gives_another_key_for_the_same_secret()
    {
        using var other = new TempDirectory();
        Assert.NotEqual(KeyWith(CacheSecretKey.LoadOrCreate(_store.Path), "x"), KeyWith(CacheSecretKey.LoadOrCreate(other.Path), "x"));
    }

    [Fact]
    public void A_damaged_key_file_is_reported()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(KeyPath)!);
        File.WriteAllBytes(KeyPath, [1, 2, 3]);
        var error = Assert.Throws<InvalidDataException>(() => CacheSecretKey.LoadOrCreate(_store.Path));
        Assert.Contains("secret-key", error.Message);
    }

    [Fact]
    public async Task The_secret_is_nowhere_in_the_cache_directory()
    {
        const string secret = "correct-horse-battery-staple-0123456789";
        var secrets = CacheSecretKey.LoadOrCreate(_store.Path);
        var cache = new LayerCache(FileDistributedCache.ForStore(_store.Path));
        foreach (var content in new[] { secret, secret + "!" })
        {
            var inputs = new CacheKeyBuilder(CacheKey.Scratch, "exec", "{\"args\":[\"deploy\"]}", secrets)
                .AddSecret("token", Encoding.UTF8.GetBytes(content))
                .Build();
            await cache.PutAsync(inputs, new CacheRecord(null, null, null, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch));
            var explanation = await cache.ExplainAsync(inputs, "RUN deploy");
            Assert.DoesNotContain(secret, explanation.Message);
        }

        // Neither the secret, nor its plain sha256 (guessable for a weak secret), is stored anywhere.
        var needles = new[] { secret, Digest.Sha256(Encoding.UTF8.GetBytes(secret)).Hex, Digest.Sha256(Encoding.UTF8.GetBytes(secret + "!")).Hex }
            .Select(Encoding.UTF8.GetBytes).ToList();
        var files = Directory.GetFiles(Path.Combine(_store.Path, "cache"), "*", SearchOption.AllDirectories);
        Assert.True(files.Length > 2);
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var needle in needles)
                Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} contains the secret or its hash");
        }
    }
}
