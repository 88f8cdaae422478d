using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

/// <summary>
/// A build's walks of its own snapshots (removing step snapshots, clamping times to SOURCE_DATE_EPOCH) never follow a
/// symlink the build made out to the host: .NET's recursive enumeration would descend into it.
/// </summary>
public sealed class HostSafetyTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task An_absolute_symlink_made_by_a_step_leads_no_walk_to_the_host()
    {
        var host = Directory.CreateTempSubdirectory("ashlar-host-").FullName;
        try
        {
            var inner = Directory.CreateDirectory(Path.Combine(host, "inner")).FullName;
            File.SetUnixFileMode(inner, (UnixFileMode)Convert.ToInt32("755", 8));
            var marker = Path.Combine(inner, "marker");
            File.WriteAllText(marker, "m");
            var before = File.GetLastWriteTimeUtc(marker);

            var request = fixture.Request($"""
                FROM busybox
                RUN ln -s {host} /escape && ln -s {inner} /escape2
                RUN touch /after
                """) with { SourceDateEpoch = DateTimeOffset.FromUnixTimeSeconds(86400) };
            await fixture.BuildAsync(request);

            Assert.Equal((UnixFileMode)Convert.ToInt32("755", 8), File.GetUnixFileMode(inner));
            Assert.Equal(before, File.GetLastWriteTimeUtc(marker));
            Assert.Equal("m", File.ReadAllText(marker));
        }
        finally
        {
            Directory.Delete(host, recursive: true);
        }
    }
}
