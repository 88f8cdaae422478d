using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

/// <summary>RUN --security=insecure: only with the build's <c>security.insecure</c> entitlement, as BuildKit.</summary>
public sealed class RunSecurityTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private const string Dockerfile = "FROM busybox\nRUN --security=insecure grep CapEff /proc/self/status > /caps\n";

    [Fact]
    public async Task Insecure_run_without_the_entitlement_fails_naming_it_and_the_line()
    {
        var error = await Assert.ThrowsAsync<BuildException>(() => Builder.BuildAsync(fixture.Request(Dockerfile)));
        Assert.Contains("security.insecure is not allowed", error.Message);
        Assert.Contains("--allow security.insecure", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task Insecure_run_with_the_entitlement_has_every_capability_and_its_own_cache_key()
    {
        var allowed = fixture.Request(Dockerfile) with { Entitlements = ["security.insecure"] };
        var files = await fixture.FilesAsync(allowed);
        // Every capability this process can hand on: root's exec gets the whole bounding set (a host may lack some itself).
        var bounding = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))[7..].Trim();
        Assert.Equal("CapEff:\t" + bounding, File.ReadAllText(Path.Combine(files, "caps")).Trim());

        // The same command in the sandbox is another step: Docker's default capabilities, not the insecure result.
        var sandboxed = await fixture.FilesAsync(fixture.Request(Dockerfile.Replace("--security=insecure ", "")));
        Assert.Equal("CapEff:\t00000000a80425fb", File.ReadAllText(Path.Combine(sandboxed, "caps")).Trim());
    }
}
