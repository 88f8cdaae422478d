using System.Formats.Tar;
using System.IO.Compression;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

public sealed class RunMountTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private static string Read(string root, string path) => File.ReadAllText(Path.Combine(root, path)).TrimEnd('\n');

    [Fact]
    public async Task Bind_mounts_from_context_and_stage_are_read_only_unless_rw_and_rw_writes_are_discarded()
    {
        var context = fixture.Context(("src/input.txt", "from context\n"));
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox AS other
            RUN echo from-stage > /made
            FROM busybox
            RUN --mount=type=bind,source=src,target=/mnt cat /mnt/input.txt > /ctx && (touch /mnt/x 2>/dev/null && echo writable || echo readonly) > /ro
            RUN --mount=type=bind,from=other,target=/other cat /other/made > /stage
            RUN --mount=type=bind,source=src,target=/mnt,rw echo changed > /mnt/input.txt && cat /mnt/input.txt > /rw
            """, context));
        Assert.Equal("from context", Read(files, "ctx"));
        Assert.Equal("readonly", Read(files, "ro"));
        Assert.Equal("from-stage", Read(files, "stage"));
        Assert.Equal("changed", Read(files, "rw"));
        Assert.Equal("from context\n", File.ReadAllText(Path.Combine(context, "src/input.txt")));
        Assert.False(Directory.Exists(Path.Combine(files, "mnt/src")));
    }

    [Fact]
    public async Task Cache_mounts_persist_across_builds_and_stay_out_of_the_image()
    {
        var id = "c" + Guid.NewGuid().ToString("N")[..8];
        await fixture.BuildAsync($"FROM busybox\nRUN --mount=type=cache,id={id},target=/cache echo kept > /cache/file\n");
        var files = await fixture.FilesAsync(fixture.Request($"FROM busybox\nRUN --mount=type=cache,id={id},target=/var/cache,sharing=locked cat /var/cache/file > /seen\n"));
        Assert.Equal("kept", Read(files, "seen"));
        Assert.False(File.Exists(Path.Combine(files, "var/cache/file")));
    }

    [Fact]
    public async Task Tmpfs_mounts_are_empty_and_not_kept()
    {
        var files = await fixture.FilesAsync(fixture.Request("FROM busybox\nRUN --mount=type=tmpfs,target=/scratch echo x > /scratch/f && grep -q ' /scratch tmpfs' /proc/mounts && echo yes > /was-tmpfs\n"));
        Assert.Equal("yes", Read(files, "was-tmpfs"));
        Assert.False(File.Exists(Path.Combine(files, "scratch/f")));
    }

    [Fact]
    public async Task Secrets_reach_the_step_as_file_and_env_but_never_a_layer_or_history()
    {
        var secretFile = Path.Combine(fixture.Root, "secret-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(secretFile, "s3cr3t-file");
        Environment.SetEnvironmentVariable("ASHLAR_TEST_SECRET", "s3cr3t-env");
        var request = fixture.Request("""
            FROM busybox
            RUN --mount=type=secret,id=token,required cat /run/secrets/token > /copied-length-only && wc -c < /run/secrets/token > /size && rm /copied-length-only
            RUN --mount=type=secret,id=api,env=API_KEY echo "${#API_KEY}" > /env-length
            """) with
        {
            Secrets = [new BuildSecret("token", secretFile), new BuildSecret("api", null, "ASHLAR_TEST_SECRET")],
        };
        var built = await fixture.BuildAsync(request);
        foreach (var layer in built.Image.Manifest.Layers)
        {
            await using var blob = fixture.Store.Content.OpenRead(layer.Digest);
            await using var gzip = new GZipStream(blob, CompressionMode.Decompress);
            using var text = new MemoryStream();
            await gzip.CopyToAsync(text);
            var content = System.Text.Encoding.UTF8.GetString(text.ToArray());
            Assert.DoesNotContain("s3cr3t", content);
            Assert.DoesNotContain("run/secrets", content);
        }
        Assert.DoesNotContain(built.Image.Config.History!, h => h.CreatedBy!.Contains("s3cr3t"));
        var files = await fixture.FilesAsync(request);
        Assert.Equal("11", Read(files, "size").Trim());
        Assert.Equal("10", Read(files, "env-length"));
    }

    [Fact]
    public async Task A_required_secret_that_is_missing_fails_clearly()
    {
        var error = await Assert.ThrowsAsync<BuildException>(() => Builder.BuildAsync(
            fixture.Request("FROM busybox\nRUN --mount=type=secret,id=absent,required true\n")));
        Assert.Contains("secret absent not found", error.Message);
        Assert.Equal(2, error.Line);
    }
}
