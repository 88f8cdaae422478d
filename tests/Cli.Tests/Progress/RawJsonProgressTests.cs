using System.Text.Json;
using Snapshooter.Xunit;

namespace Ashlar.Cli.Tests.Progress;

/// <summary><c>--progress rawjson</c>: one JSON object per line, with the documented field names.</summary>
public sealed class RawJsonProgressTests(BusyboxStore store) : IClassFixture<BusyboxStore>
{
    [Fact]
    public async Task A_small_build_is_one_object_per_event_and_ends_with_the_result()
    {
        var context = store.Context("""
            FROM busybox
            COPY hello.txt /hello.txt
            RUN echo "it's <$(cat /hello.txt)> & more"
            """, ("hello.txt", "hello"));

        var built = await BusyboxStore.BuildInAsync(await store.NewStoreAsync(), "--progress", "rawjson", "-t", "progress-json", context);

        Assert.True(built.ExitCode == 0, built.Stderr);
        var lines = built.Stderr.TrimEnd('\n').Split('\n');
        foreach (var line in lines)
        {
            using var parsed = JsonDocument.Parse(line); // each line alone is a whole JSON object
            Assert.Equal(JsonValueKind.Object, parsed.RootElement.ValueKind);
        }
        using (var result = JsonDocument.Parse(lines[^1]))
            Assert.Equal("result", result.RootElement.GetProperty("kind").GetString());
        Snapshot.Match(BusyboxStore.Normalise(built.Stderr));
    }

    [Fact]
    public async Task A_failing_build_ends_with_an_error_object_naming_the_line_and_exit_code()
    {
        var built = await store.BuildAsync("--progress", "rawjson", store.Context("FROM busybox\nRUN exit 7\n"));

        Assert.Equal(1, built.ExitCode);
        using var error = JsonDocument.Parse(built.Stderr.TrimEnd('\n').Split('\n')[^1]);
        Assert.Equal("error", error.RootElement.GetProperty("kind").GetString());
        Assert.Equal("Dockerfile", error.RootElement.GetProperty("file").GetString());
        Assert.Equal(2, error.RootElement.GetProperty("line").GetInt32());
        Assert.Equal(7, error.RootElement.GetProperty("exitCode").GetInt32());
    }
}
