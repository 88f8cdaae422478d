using System.Formats.Tar;
using Ashlar.Builder.Tests.Support;
using Ashlar.Images.References;

namespace Ashlar.Builder.Tests;

public sealed class OutputTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private const string Dockerfile = "FROM busybox\nRUN echo out > /out\n";

    private static List<string> Entries(string tar)
    {
        using var stream = File.OpenRead(tar);
        using var reader = new TarReader(stream);
        var names = new List<string>();
        while (reader.GetNextEntry() is { } entry) names.Add(entry.Name);
        return names;
    }

    [Fact]
    public async Task Several_tags_point_at_the_image()
    {
        var built = await fixture.BuildAsync(fixture.Request(Dockerfile) with { Tags = ["out-a:1", "out-b"] });
        Assert.Equal(built.Result.ImageDigest, (await fixture.Store.ResolveAsync(ImageReference.Parse("out-a:1")))!.DigestText);
        Assert.Equal(built.Result.ImageDigest, (await fixture.Store.ResolveAsync(ImageReference.Parse("out-b:latest")))!.DigestText);
        Assert.Equal(built.Result.ImageDigest, built.Result.Metadata["containerimage.digest"]);
        Assert.Equal(built.Image.Id.ToString(), built.Result.ConfigDigest);
    }

    [Fact]
    public async Task Docker_and_oci_archives_hold_a_layout_and_docker_adds_manifest_json()
    {
        var docker = Path.Combine(fixture.Root, "image-docker.tar");
        var oci = Path.Combine(fixture.Root, "image-oci.tar");
        await Builder.BuildAsync(fixture.Request(Dockerfile) with
        {
            Tags = ["archived:1"],
            Outputs = [BuildOutput.Parse($"type=docker,dest={docker}"), BuildOutput.Parse($"type=oci,dest={oci}")],
        });
        Assert.Contains("manifest.json", Entries(docker));
        Assert.Contains("index.json", Entries(docker));
        Assert.Contains("oci-layout", Entries(oci));
        Assert.DoesNotContain("manifest.json", Entries(oci));
        Assert.Equal(4, Entries(oci).Count(e => e.StartsWith("blobs/sha256/") && e.Length > "blobs/sha256/".Length));
        // two layers, config, manifest; only the image output tags the store.
        Assert.Null(await fixture.Store.ResolveAsync(ImageReference.Parse("archived:1")));
    }

    [Fact]
    public async Task Local_and_tar_outputs_hold_the_final_files()
    {
        var dir = Path.Combine(fixture.Root, "local-" + Guid.NewGuid().ToString("N")[..6]);
        var tar = Path.Combine(fixture.Root, "files.tar");
        await Builder.BuildAsync(fixture.Request(Dockerfile) with
        {
            Outputs = [new BuildOutput(BuildOutputType.Local, dir), new BuildOutput(BuildOutputType.Tar, tar)],
        });
        Assert.Equal("out\n", File.ReadAllText(Path.Combine(dir, "out")));
        Assert.Contains(Entries(tar), e => e.TrimStart('.', '/') == "out");
    }

    [Fact]
    public async Task Source_date_epoch_clamps_config_and_history_times()
    {
        var epoch = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var built = await fixture.BuildAsync(fixture.Request("FROM busybox\nENV A=1\n") with { SourceDateEpoch = epoch });
        Assert.Equal(epoch.UtcDateTime, built.Image.Config.Created);
        Assert.Equal(epoch.UtcDateTime, built.Image.Config.History![^1].Created);
        var again = await fixture.BuildAsync(fixture.Request("FROM busybox\nENV A=1\n") with { SourceDateEpoch = epoch });
        Assert.Equal(built.Result.ImageDigest, again.Result.ImageDigest);

        // Files a step creates (here a directory COPY makes and a RUN's output) get the epoch: same layers every time.
        const string dockerfile = "FROM busybox\nCOPY a.txt /new/dir/\nRUN echo x > /made\n";
        var context = fixture.Context(("a.txt", "a"));
        var first = await fixture.BuildAsync(fixture.Request(dockerfile, context) with { SourceDateEpoch = epoch });
        await Task.Delay(1100);
        var second = await fixture.BuildAsync(fixture.Request(dockerfile, context) with { SourceDateEpoch = epoch });
        Assert.Equal(first.Image.Config.RootFs.DiffIds, second.Image.Config.RootFs.DiffIds);
    }

    [Fact]
    public void Output_and_secret_flags_parse_like_docker()
    {
        Assert.Equal(new BuildOutput(BuildOutputType.Docker, "x.tar"), BuildOutput.Parse("type=docker,dest=x.tar"));
        Assert.Equal(new BuildOutput(BuildOutputType.Local, "out"), BuildOutput.Parse("out"));
        Assert.Throws<FormatException>(() => BuildOutput.Parse("type=bogus"));
        Assert.Throws<FormatException>(() => BuildOutput.Parse("type=local"));
        Assert.Equal(new BuildSecret("s", "/run/file"), BuildSecret.Parse("id=s,src=/run/file"));
        Assert.Equal(new BuildSecret("s", null, "VAR"), BuildSecret.Parse("id=s,env=VAR"));
        Assert.Throws<FormatException>(() => BuildSecret.Parse("src"));
    }
}
