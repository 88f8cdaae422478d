using System.Text.Json;
using Ashlar.Images.Archives;
using Ashlar.Images.Store;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Archives;

/// <summary>Archives exchanged with a real docker daemon (Debian's docker.io, started privately for these tests).</summary>
public sealed class DockerLoadTests(DockerDaemon docker) : IClassFixture<DockerDaemon>
{
    [DockerFact]
    public async Task Docker_loads_an_ashlar_archive_and_runs_it()
    {
        using var dir = new TempDirectory();
        var store = ImageStore.Open(dir.Combine("store"));
        var image = await BusyboxRootfs.ImportAsync(store, "ashlar-test/busybox:saved");
        var archive = dir.Combine("out.tar");
        await using (var output = File.Create(archive))
            await ImageArchiveWriter.WriteAsync(store, ["ashlar-test/busybox:saved"], output);

        var load = await docker.RunAsync("load", "-i", archive);
        Assert.Contains("Loaded image: ashlar-test/busybox:saved", load.EnsureSuccess("docker load").Stdout);

        var inspect = await docker.RunAsync("image", "inspect", "ashlar-test/busybox:saved");
        using var json = JsonDocument.Parse(inspect.EnsureSuccess("docker image inspect").Stdout);
        var root = json.RootElement[0];
        Assert.Equal(image.Id.ToString(), root.GetProperty("Id").GetString());
        Assert.Equal(image.DiffIds[0].ToString(), root.GetProperty("RootFS").GetProperty("Layers")[0].GetString());

        var run = await docker.RunAsync("run", "--rm", "--network", "none", "ashlar-test/busybox:saved", "/bin/busybox", "echo", "ran in docker");
        Assert.Equal("ran in docker\n", run.EnsureSuccess("docker run").Stdout);
    }

    [DockerFact]
    public async Task Ashlar_loads_what_docker_saves()
    {
        using var dir = new TempDirectory();
        var source = ImageStore.Open(dir.Combine("source"));
        var image = await BusyboxRootfs.ImportAsync(source, "ashlar-test/roundtrip:1");
        var archive = dir.Combine("ashlar.tar");
        await using (var output = File.Create(archive))
            await ImageArchiveWriter.WriteAsync(source, ["ashlar-test/roundtrip:1"], output);
        (await docker.RunAsync("load", "-i", archive)).EnsureSuccess("docker load");
        var saved = dir.Combine("docker.tar");
        (await docker.RunAsync("save", "-o", saved, "ashlar-test/roundtrip:1")).EnsureSuccess("docker save");

        var target = ImageStore.Open(dir.Combine("target"));
        await using var input = File.OpenRead(saved);
        var loaded = Assert.Single(await ImageArchiveReader.LoadAsync(target, input, saved));

        Assert.Equal("ashlar-test/roundtrip:1", loaded.Reference!.Familiar);
        Assert.Equal(image.Id, loaded.Id);
        Assert.Equal(image.DiffIds, (await target.LoadImageAsync("ashlar-test/roundtrip:1")).DiffIds);
    }
}
