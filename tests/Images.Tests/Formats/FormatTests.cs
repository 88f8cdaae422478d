using System.Text;
using System.Text.Json;
using Ashlar.Images.Compression;
using Ashlar.Images.Formats;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Formats;

public class FormatTests
{
    // A config as docker writes it: nanosecond timestamps, Docker-only fields, empty-object sets.
    private const string DockerConfig = """
        {"architecture":"amd64","config":{"Hostname":"","User":"app","ExposedPorts":{"80/tcp":{}},"Env":["PATH=/usr/bin"],
        "Cmd":["sh"],"Healthcheck":{"Test":["CMD","true"],"Interval":30000000000,"Retries":3},"Volumes":{"/data":{}},
        "WorkingDir":"/app","Labels":{"a":"b"},"OnBuild":["RUN echo"],"StopSignal":"SIGTERM","Shell":["/bin/bash","-c"]},
        "container":"abc","created":"2024-05-01T12:34:56.123456789Z","docker_version":"24.0.0",
        "history":[{"created":"2024-05-01T12:34:56.123456789Z","created_by":"/bin/sh -c #(nop) CMD [\"sh\"]","empty_layer":true},
        {"created":"2024-05-01T12:34:55Z","created_by":"ADD file:x in /"}],
        "os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"]}}
        """;

    [Fact]
    public void A_docker_config_reads_with_every_field_and_keeps_the_unknown_ones()
    {
        var config = JsonSerializer.Deserialize(DockerConfig, ImageJsonContext.Relaxed.ImageConfig)!;

        Assert.Equal(new DateTime(2024, 5, 1, 12, 34, 56, DateTimeKind.Utc).AddTicks(1234567), config.Created);
        Assert.Equal("app", config.Config!.User);
        Assert.Contains("80/tcp", config.Config.ExposedPorts!.Keys);
        Assert.Contains("/data", config.Config.Volumes!.Keys);
        Assert.Equal(30_000_000_000, config.Config.Healthcheck!.Interval);
        Assert.Equal(["RUN echo"], config.Config.OnBuild);
        Assert.Equal(["/bin/bash", "-c"], config.Config.Shell);
        Assert.Equal("SIGTERM", config.Config.StopSignal);
        Assert.True(config.History![0].EmptyLayer);
        Assert.Single(config.RootFs.DiffIds);

        var written = JsonSerializer.Serialize(config with { Author = "me" }, ImageJsonContext.Relaxed.ImageConfig);
        Assert.Contains("\"docker_version\":\"24.0.0\"", written);
        Assert.Contains("\"Hostname\":\"\"", written);
        Assert.Contains("\"ExposedPorts\":{\"80/tcp\":{}}", written);
        Assert.DoesNotContain("null", written);
    }

    [Fact]
    public void Media_types_are_written_unescaped()
    {
        var manifest = new ImageManifest
        {
            MediaType = MediaTypes.OciManifest,
            Config = Descriptor.For(MediaTypes.OciConfig, Ashlar.Images.Content.Digest.Sha256("c"u8), 1),
            Layers = [Descriptor.For(MediaTypes.OciLayerGzip, Ashlar.Images.Content.Digest.Sha256("l"u8), 2)],
        };
        Assert.Contains("application/vnd.oci.image.layer.v1.tar+gzip", JsonSerializer.Serialize(manifest, ImageJsonContext.Relaxed.ImageManifest));
    }

    [Theory]
    [InlineData("linux/amd64", "linux", "amd64", null, true)]
    [InlineData("linux/amd64", "linux", "x86_64", null, true)]
    [InlineData("linux/amd64", "linux", "arm64", "v8", false)]
    [InlineData("linux/arm64", "linux", "arm64", "v8", true)]
    [InlineData("linux/arm64/v8", "linux", "aarch64", null, true)]
    [InlineData("linux/arm/v7", "linux", "arm", null, true)]
    [InlineData("linux/arm/v6", "linux", "arm", "v7", false)]
    [InlineData("linux/amd64", "windows", "amd64", null, false)]
    public void Platforms_match_like_containerd(string wanted, string os, string architecture, string? variant, bool matches)
    {
        Assert.Equal(matches, Platform.Parse(wanted).Matches(new Platform { OS = os, Architecture = architecture, Variant = variant }));
    }

    [Fact]
    public void A_bad_platform_says_what_is_expected()
    {
        var error = Assert.Throws<FormatException>(() => Platform.Parse("amd64"));
        Assert.Contains("os/architecture", error.Message);
    }

    [Fact]
    public async Task An_index_resolves_to_the_requested_platform()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Path);
        var amd64 = await TestImages.PutAsync(store, "amd64");
        var arm64 = await TestImages.PutAsync(store, "arm64");
        var index = await store.PutIndexAsync(new ImageIndex
        {
            MediaType = MediaTypes.OciIndex,
            Manifests =
            [
                arm64 with { Platform = new Platform { OS = "linux", Architecture = "arm64", Variant = "v8" } },
                amd64 with { Platform = new Platform { OS = "linux", Architecture = "amd64" } },
            ],
        });

        Assert.Equal(amd64.Digest, (await store.LoadImageAsync(index, Platform.Parse("linux/amd64"))).ManifestDigest);
        Assert.Equal(arm64.Digest, (await store.LoadImageAsync(index, Platform.Parse("linux/arm64"))).ManifestDigest);
        await Assert.ThrowsAsync<ImageNotFoundException>(() => store.LoadImageAsync(index, Platform.Parse("linux/s390x")));
    }

    [Theory]
    [InlineData(MediaTypes.OciLayer, LayerCompression.None)]
    [InlineData(MediaTypes.OciLayerGzip, LayerCompression.Gzip)]
    [InlineData(MediaTypes.OciLayerZstd, LayerCompression.Zstd)]
    [InlineData(MediaTypes.DockerLayerGzip, LayerCompression.Gzip)]
    [InlineData(MediaTypes.DockerForeignLayerGzip, LayerCompression.Gzip)]
    public void Compression_comes_from_the_media_type(string mediaType, LayerCompression expected)
    {
        Assert.Equal(expected, LayerCodec.FromMediaType(mediaType));
    }

    [Fact]
    public void Compression_comes_from_the_magic_bytes()
    {
        Assert.Equal(LayerCompression.Gzip, LayerCodec.Detect([0x1f, 0x8b, 8, 0]));
        Assert.Equal(LayerCompression.Zstd, LayerCodec.Detect([0x28, 0xb5, 0x2f, 0xfd]));
        Assert.Equal(LayerCompression.None, LayerCodec.Detect(Encoding.ASCII.GetBytes("bin/")));
        Assert.Null(LayerCodec.FromMediaType(MediaTypes.OciConfig));
    }
}
