using System.Security.Cryptography;
using System.Text;
using Ashlar.Builder.Tests.Support;
using Ashlar.Cache.Index;
using Ashlar.Cache.Remote;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>
/// Two stores stand for two runners sharing one cache index and runner A's blobs. A RUN with a secret hits across them
/// only when both hold the same shared key file; the secret and the key are in neither store nor the shared index.
/// </summary>
public sealed class SharedSecretKeyTests : IAsyncLifetime
{
    private readonly BuildFixture _a = new();
    private readonly BuildFixture _b = new();
    private readonly string _shared = Directory.CreateTempSubdirectory("ashlar-shared-secret-").FullName;

    public async Task InitializeAsync()
    {
        await _a.InitializeAsync();
        await _b.InitializeAsync();
        // Both runners start from the same base image (each fixture's own import has its own file times).
        using var archive = new MemoryStream();
        await Ashlar.Images.Archives.ImageArchiveWriter.WriteAsync(_a.Store, [BusyboxImage.Name], archive);
        archive.Position = 0;
        await Ashlar.Images.Archives.ImageArchiveReader.LoadAsync(_b.Store, archive);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        Directory.Delete(_shared, recursive: true);
    }

    /// <summary>Runner A's store as the place runner B's hits take their blobs from.</summary>
    private sealed class StoreSource(BuildFixture runner) : ILayerSource
    {
        public async Task<bool> TryFetchAsync(Descriptor layer, IContentStore store, CancellationToken cancellationToken)
        {
            if (!runner.Store.Content.Exists(layer.Digest)) return false;
            await using var blob = runner.Store.Content.OpenRead(layer.Digest);
            await store.WriteAsync(blob, layer.Digest, layer.Size, cancellationToken);
            return true;
        }
    }

    private string KeyFile(string name)
    {
        var path = Path.Combine(_shared, name);
        File.WriteAllText(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
        return path;
    }

    [Fact]
    public async Task Runners_with_the_same_key_file_hit_and_with_another_miss_and_neither_stores_the_secret_or_key()
    {
        var marker = CacheOutcome.Unique();
        var secret = "fleet-s3cr3t-" + marker;
        var secretFile = Path.Combine(_shared, "secret");
        File.WriteAllText(secretFile, secret);
        var sameKey = KeyFile("fleet.key");
        var otherKey = KeyFile("other.key");
        var index = Path.Combine(_shared, "index");
        var dockerfile = $"FROM busybox\nRUN --mount=type=secret,id=token wc -c /run/secrets/token > /len && echo {marker} > /m\n";
        BuildRequest On(BuildFixture runner, string keyFile) => runner.Request(dockerfile) with
        {
            Secrets = [new BuildSecret("token", secretFile)],
            CacheIndex = new FileDistributedCache(index),
            LayerSources = [new StoreSource(_a)],
            CacheSecretKeyFile = keyFile,
        };

        var built = await _a.BuildAsync(On(_a, sameKey));
        Assert.Equal("R", built.Pattern());
        var hit = await _b.BuildAsync(On(_b, sameKey));
        Assert.True(hit.Pattern() == "C", hit.Step("RUN").MissReason);
        Assert.Equal(built.Result.ImageDigest, hit.Result.ImageDigest);
        var miss = await _b.BuildAsync(On(_b, otherKey));
        Assert.Equal("R", miss.Pattern());
        Assert.EndsWith("secret \"token\" changed", miss.Step("RUN").MissReason);

        // Neither store made a key of its own, and nothing holds the secret, a key file's text or its bytes.
        Assert.False(File.Exists(Path.Combine(_a.StoreRoot, "cache", "secret-key")));
        Assert.False(File.Exists(Path.Combine(_b.StoreRoot, "cache", "secret-key")));
        var needles = new[] { secret, File.ReadAllText(sameKey).Trim(), File.ReadAllText(otherKey).Trim() }
            .SelectMany(text => new[] { Encoding.UTF8.GetBytes(text) })
            .Concat([Convert.FromHexString(File.ReadAllText(sameKey).Trim()), Convert.FromHexString(File.ReadAllText(otherKey).Trim())])
            .ToList();
        SecretScan.AssertNowhere([_a.StoreRoot, _b.StoreRoot, index], needles);
    }
}
