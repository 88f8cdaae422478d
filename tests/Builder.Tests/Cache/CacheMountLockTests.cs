using System.Security.Cryptography;
using System.Text;
using Ashlar.Builder.Solving;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests.Cache;

/// <summary><c>RUN --mount=type=cache,sharing=locked</c> waits (and says so) while another step or process holds the cache.</summary>
public sealed class CacheMountLockTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private sealed class WaitWatcher : IProgress<BuildEvent>
    {
        public TaskCompletionSource<BuildEvent> Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public void Report(BuildEvent value)
        {
            if (value.Kind == BuildEventKind.StepWaiting) Waiting.TrySetResult(value);
        }
    }

    [Fact]
    public async Task A_locked_cache_mount_waits_for_the_holder_and_progress_shows_it()
    {
        var id = "lock-" + CacheOutcome.Unique();
        var name = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..32];
        var mounts = Directory.CreateDirectory(Path.Combine(fixture.StoreRoot, "cache-mounts")).FullName;
        // The lock as another process would hold it: flock on the cache's lock file.
        var held = CacheLock.TryAcquire(Path.Combine(mounts, name + ".lock"));
        Assert.NotNull(held);

        var watcher = new WaitWatcher();
        var request = fixture.Request($"FROM busybox\nRUN --mount=type=cache,id={id},target=/c,sharing=locked echo ran > /c/f && cp /c/f /f\n");
        var build = Builder.BuildAsync(request, watcher);
        var waiting = await watcher.Waiting.Task.WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Contains($"waiting for cache mount \"{id}\"", waiting.Text);
        Assert.False(build.IsCompleted);
        held!.Dispose();
        await build;
        Assert.Equal("ran", File.ReadAllText(Path.Combine(mounts, name, "f")).Trim());
    }
}
