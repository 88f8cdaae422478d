using System.Text;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary>A secret's content is part of a RUN's key (a changed secret misses) but never reaches the store in any form it could be read from.</summary>
public sealed class SecretCacheTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task A_changed_secret_misses_and_its_bytes_are_nowhere_under_the_store()
    {
        var marker = CacheOutcome.Unique();
        var secretFile = Path.Combine(fixture.Root, "secret-" + marker);
        var first = "s3cr3t-one-" + marker;
        var second = "s3cr3t-two-" + marker;
        File.WriteAllText(secretFile, first);
        var request = fixture.Request($"FROM busybox\nRUN --mount=type=secret,id=token wc -c /run/secrets/token > /len && echo {marker}\n")
            with { Secrets = [new BuildSecret("token", secretFile)] };

        Assert.Equal("R", (await fixture.BuildAsync(request)).Pattern());
        Assert.Equal("C", (await fixture.BuildAsync(request)).Pattern());
        File.WriteAllText(secretFile, second);
        var changed = await fixture.BuildAsync(request);
        Assert.Equal("R", changed.Pattern());
        Assert.EndsWith("secret \"token\" changed", changed.Step("RUN").MissReason);

        foreach (var file in Directory.EnumerateFiles(fixture.StoreRoot, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            if (new FileInfo(file).LinkTarget is not null) continue;
            byte[] bytes;
            try { bytes = File.ReadAllBytes(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; } // device nodes (whiteouts)
            var text = Encoding.Latin1.GetString(bytes);
            Assert.DoesNotContain(first, text);
            Assert.DoesNotContain(second, text);
        }
    }
}
