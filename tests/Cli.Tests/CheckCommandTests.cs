using Ashlar.Cli.Tests.Support;

namespace Ashlar.Cli.Tests;

/// <summary><c>ashlar check</c>: finds what is corrupt or missing, names the path, and repairs without touching a healthy image.</summary>
public class CheckCommandTests
{
    [Fact]
    public async Task A_healthy_store_passes()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync();
        var outcome = await store.RunAsync("check");
        Assert.True(outcome.ExitCode == 0, outcome.Stdout);
        Assert.Contains("no problems found", outcome.Stdout);
    }

    [Fact]
    public async Task A_corrupted_blob_and_a_dangling_manifest_reference_are_found_and_repaired()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync("good:1");
        await store.ImportBusyboxAsync("corrupt:1", padding: 1000);
        await store.ImportBusyboxAsync("dangling:1", padding: 2000);

        var corrupt = await store.Store.LoadImageAsync("corrupt:1");
        var layer = store.Store.Content.PathOf(corrupt.Manifest.Layers[0].Digest);
        await using (var file = new FileStream(layer, FileMode.Open, FileAccess.Write))
        {
            file.Position = file.Length / 2;
            file.WriteByte(0x42);
            file.WriteByte(0x43);
        }
        var dangling = await store.Store.LoadImageAsync("dangling:1");
        var config = store.Store.Content.PathOf(dangling.Manifest.Config.Digest);
        File.Delete(config);

        var check = await store.RunAsync("check");
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"{layer}: content does not match its digest", check.Stdout);
        Assert.Contains($"image docker.io/library/corrupt:1 ({corrupt.ManifestDigest}): its layer {layer} is corrupt", check.Stdout);
        Assert.Contains($"image docker.io/library/dangling:1 ({dangling.ManifestDigest}): its config {config} is missing", check.Stdout);
        Assert.DoesNotContain("good", check.Stdout);

        var repair = await store.RunAsync("check", "--repair");
        Assert.True(repair.ExitCode == 0, repair.Stdout);
        Assert.Contains("(removed)", repair.Stdout);
        Assert.False(File.Exists(layer));

        var again = await store.RunAsync("check");
        Assert.True(again.ExitCode == 0, again.Stdout);
        var images = await store.RunAsync("images");
        Assert.Contains("good", images.Stdout);
        Assert.DoesNotContain("corrupt", images.Stdout);
        Assert.DoesNotContain("dangling", images.Stdout);
        var good = await store.Store.LoadImageAsync("good:1");
        Assert.True(store.Store.Content.Exists(good.Manifest.Layers[0].Digest));
    }

    [Fact]
    public async Task A_damaged_snapshot_and_cache_entry_are_reported_with_their_paths()
    {
        using var store = new TestStore();
        await store.ImportBusyboxAsync();
        Assert.Equal(0, (await store.RunAsync("build", "-t", "app", store.Context("FROM busybox\nRUN echo hi > /hi\n"))).ExitCode);
        var snapshot = Directory.GetDirectories(Path.Combine(store.Root, "snapshots")).First(d => int.TryParse(Path.GetFileName(d), out _));
        File.WriteAllText(Path.Combine(snapshot, "info"), "garbage\n");
        Directory.SetLastWriteTimeUtc(snapshot, DateTime.UtcNow.AddHours(-1)); // not one being made right now
        var entry = Path.Combine(store.Root, "cache", "index", "ab", new string('c', 62));
        Directory.CreateDirectory(Path.GetDirectoryName(entry)!);
        File.WriteAllText(entry, "not an entry");

        var check = await store.RunAsync("check");
        Assert.Equal(1, check.ExitCode);
        Assert.Contains($"{snapshot}: snapshot metadata is damaged", check.Stdout);
        Assert.Contains($"{entry}: ", check.Stdout);
    }
}
