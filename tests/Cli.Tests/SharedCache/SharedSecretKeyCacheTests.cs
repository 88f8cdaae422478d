using System.Security.Cryptography;
using System.Text;

namespace Ashlar.Cli.Tests.SharedCache;

/// <summary>
/// Issue 7's secret gap: a RUN that mounts a secret hits across runners through an exported cache only when they hold
/// the same <c>--cache-secret-key-file</c>; neither the secret nor the key is in any store or in the exported cache.
/// </summary>
[Collection(SharedCacheCollection.Name)]
public sealed class SharedSecretKeyCacheTests(SharedCacheFixture fixture)
{
    [RegistryFact]
    public async Task A_secret_step_hits_across_runners_sharing_a_key_file_and_neither_secret_nor_key_is_stored()
    {
        var unique = Guid.NewGuid().ToString("N")[..12];
        var secret = "fleet-s3cr3t-" + unique;
        var secretFile = Path.Combine(fixture.Root, "secret-" + unique);
        File.WriteAllText(secretFile, secret);
        var keys = new[] { "same", "other" }.ToDictionary(n => n, n =>
        {
            var path = Path.Combine(fixture.Root, $"{n}-{unique}.key");
            File.WriteAllText(path, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n");
            return path;
        });
        var context = fixture.Context($"FROM BASE\nRUN --mount=type=secret,id=token wc -c /run/secrets/token > /len && echo {unique} > /m\n");
        var cache = Path.Combine(fixture.Root, "secret-cache-" + unique);
        string[] With(string key) => ["--secret", $"id=token,src={secretFile}", "--cache-secret-key-file", keys[key]];

        var runners = new[] { fixture.Runner("a"), fixture.Runner("b"), fixture.Runner("c") };
        var a = (await fixture.BuildAsync(runners[0], context, [.. With("same"), "--cache-to", $"type=local,dest={cache},mode=max"])).Succeeded();
        var b = (await fixture.BuildAsync(runners[1], context, [.. With("same"), "--cache-from", $"type=local,src={cache}"])).Succeeded();
        var c = (await fixture.BuildAsync(runners[2], context, [.. With("other"), "--cache-from", $"type=local,src={cache}"])).Succeeded();

        Assert.Equal([false], a.Steps.Select(s => s.Cached));
        Assert.Equal([true], b.Steps.Select(s => s.Cached));
        Assert.Equal(a.ImageDigest, b.ImageDigest);
        Assert.Equal([false], c.Steps.Select(s => s.Cached));

        var needles = new List<byte[]> { Encoding.UTF8.GetBytes(secret) };
        foreach (var key in keys.Values)
        {
            var text = File.ReadAllText(key).Trim();
            needles.Add(Encoding.UTF8.GetBytes(text));
            needles.Add(Convert.FromHexString(text));
        }
        SecretScan.AssertNowhere(runners.Append(cache), needles);
    }
}
