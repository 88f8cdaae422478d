using System.Diagnostics;
using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Registry;
using Ashlar.Images.Tests.Registry.Support;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry;

/// <summary>Images other tools put in a registry pull the same; what Ashlar pushes, skopeo reads.</summary>
[Collection(RegistryCollection.Name)]
public sealed class SkopeoInteropTests(RegistryFixture registry) : IDisposable
{
    readonly TempDirectory temp = new();

    [Fact]
    public async Task AnImagePushedBySkopeoPullsWithItsDigests()
    {
        var image = TestImage.Create(layerCount: 2);
        var layout = temp.Combine("layout");
        image.WriteOciLayout(layout, "v1");
        var repository = RegistryFixture.UniqueRepository("skopeo-pushed");

        await Skopeo("copy", "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{registry.Host}/{repository}:v1");
        var target = new FileContentStore(temp.Combine("store"));
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        var pulled = await client.PullAsync(registry.Host, repository, "v1", target);

        Assert.Equal(image.ManifestDigest, pulled.ManifestDigest);
        Assert.Equal(image.ConfigDigest, pulled.ConfigDigest);
        Assert.Equal(image.LayerDigests, pulled.Layers);
        Assert.All(image.Blobs, blob => Assert.True(target.Exists(blob.Digest)));
    }

    [Fact]
    public async Task AnImageSkopeoConvertedToDockerSchema2PullsAsWhatTheRegistryServes()
    {
        var image = TestImage.Create(layerCount: 1);
        var layout = temp.Combine("layout");
        image.WriteOciLayout(layout, "v1");
        var repository = RegistryFixture.UniqueRepository("skopeo-v2s2");
        var remote = $"docker://{registry.Host}/{repository}:v1";

        await Skopeo("copy", "--format", "v2s2", "--dest-tls-verify=false", $"oci:{layout}:v1", remote);
        var served = Encoding.UTF8.GetBytes(await Skopeo("inspect", "--raw", "--tls-verify=false", remote));
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        var pulled = await client.PullAsync(registry.Host, repository, "v1", new FileContentStore(temp.Combine("store")));

        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", pulled.ManifestMediaType);
        Assert.Equal(Digest.Sha256(served), pulled.ManifestDigest);
        Assert.Equal(image.LayerDigests, pulled.Layers);
    }

    [Fact]
    public async Task AnImagePushedByAshlarIsReadBySkopeo()
    {
        var image = TestImage.Create(layerCount: 1);
        var source = new FileContentStore(temp.Combine("store"));
        await image.WriteToAsync(source);
        var repository = RegistryFixture.UniqueRepository("ashlar-pushed");
        using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
        await client.PushAsync(source, image.ManifestDigest, registry.Host, repository, "v1");

        var layout = temp.Combine("copied");
        await Skopeo("copy", "--src-tls-verify=false", $"docker://{registry.Host}/{repository}:v1", $"oci:{layout}:v1");

        var manifestPath = Path.Combine(layout, "blobs", "sha256", image.ManifestDigest.Hex);
        Assert.Equal(image.Manifest, await File.ReadAllBytesAsync(manifestPath));
    }

    static async Task<string> Skopeo(params string[] arguments)
    {
        var start = new ProcessStartInfo("skopeo", ["--insecure-policy", .. arguments])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"skopeo {string.Join(' ', arguments)} failed ({process.ExitCode}):\n{await output}\n{await error}");
        return await output;
    }

    public void Dispose() => temp.Dispose();
}
