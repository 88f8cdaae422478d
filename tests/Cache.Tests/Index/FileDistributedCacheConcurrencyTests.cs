using System.Diagnostics;
using Ashlar.Cache.Index;

namespace Ashlar.Cache.Tests.Index;

/// <summary>Several writers and readers on one index, across threads, instances and processes: no torn entry, ever.</summary>
public sealed class FileDistributedCacheConcurrencyTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string IndexPath => Path.Combine(_dir.Path, "index");

    [Fact]
    public async Task Parallel_writers_and_readers_on_several_instances_never_see_a_torn_entry()
    {
        var instances = Enumerable.Range(0, 3).Select(_ => new FileDistributedCache(IndexPath)).ToArray();
        string[] keys = ["a", "b", "c"];
        const int writers = 6, writes = 20;
        using var stop = new CancellationTokenSource();
        var reads = 0;

        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < writes; i++)
                await instances[w % instances.Length].SetAsync(keys[(w + i) % keys.Length], CheckedValue.Create(w, i), new());
        })).ToArray();
        var readerTasks = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
        {
            // Read while the writers run, then one whole pass after they are done (every key exists by then),
            // so a reader that the scheduler started late still reads something.
            while (true)
            {
                var writersDone = stop.IsCancellationRequested;
                foreach (var key in keys)
                    if (await instances[r].GetAsync(key) is { } value)
                    {
                        CheckedValue.Verify(value);
                        Interlocked.Increment(ref reads);
                    }
                if (writersDone) break;
            }
        })).ToArray();

        await Task.WhenAll(writerTasks);
        stop.Cancel();
        await Task.WhenAll(readerTasks);

        foreach (var key in keys)
            Assert.InRange(CheckedValue.Verify((await instances[0].GetAsync(key))!), 0, writers - 1);
        Assert.True(reads > 0);
        Assert.Empty(Directory.GetFiles(IndexPath, FileDistributedCache.TempPrefix + "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_second_process_writing_the_same_key_never_tears_it()
    {
        var cache = new FileDistributedCache(IndexPath);
        const string key = "shared";
        const int writes = 40;
        using var child = StartWriterProcess(key, writes, writer: 100);
        var local = 0;

        // Write and read the same key as long as the other process does; every read must be whole.
        while (!child.HasExited || local < writes)
        {
            if (local < writes) await cache.SetAsync(key, CheckedValue.Create(1, local++), new());
            if (await cache.GetAsync(key) is { } value) CheckedValue.Verify(value);
        }
        await child.WaitForExitAsync();
        Assert.True(child.ExitCode == 0, await child.StandardError.ReadToEndAsync());

        var final = CheckedValue.Verify((await cache.GetAsync(key))!);
        Assert.Contains(final, new[] { 1, 100 });
        // Another process's last complete write wins and is what this one reads.
        Assert.True(await ChildWroteAsync(cache, key));
        Assert.Empty(Directory.GetFiles(IndexPath, FileDistributedCache.TempPrefix + "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_writer_killed_mid_write_leaves_a_whole_entry_and_only_collectable_leftovers()
    {
        var cache = new FileDistributedCache(IndexPath);
        const string key = "crash";
        using var child = Start("write-until-killed", IndexPath, key, "7");
        // Wait (on a condition, not a duration) until the child has completed writes, then kill -9 it mid-stream.
        for (var polls = 0; await cache.GetAsync(key) is null; polls++)
        {
            if (child.HasExited) Assert.Fail($"the writer exited with {child.ExitCode}: {await child.StandardError.ReadToEndAsync()}");
            Assert.True(polls < 6000, "the child never wrote");
            await Task.Delay(10);
        }
        child.Kill();
        await child.WaitForExitAsync();

        Assert.Equal(7, CheckedValue.Verify((await cache.GetAsync(key))!));
        // Whatever it left mid-write is an unlocked temporary file: once past the grace period, the next open collects it.
        foreach (var temp in Directory.GetFiles(IndexPath, FileDistributedCache.TempPrefix + "*", SearchOption.AllDirectories))
            File.SetLastWriteTimeUtc(temp, DateTime.UtcNow - FileDistributedCache.TempGracePeriod - TimeSpan.FromMinutes(1));
        var reopened = new FileDistributedCache(IndexPath);
        Assert.Empty(Directory.GetFiles(IndexPath, FileDistributedCache.TempPrefix + "*", SearchOption.AllDirectories));
        Assert.Equal(7, CheckedValue.Verify((await reopened.GetAsync(key))!));
        await reopened.SetAsync(key, CheckedValue.Create(8, 0), new());
        Assert.Equal(8, CheckedValue.Verify((await reopened.GetAsync(key))!));
    }

    private async Task<bool> ChildWroteAsync(FileDistributedCache cache, string key)
    {
        using var child = StartWriterProcess(key, 1, writer: 100);
        await child.WaitForExitAsync();
        return CheckedValue.Verify((await cache.GetAsync(key))!) == 100;
    }

    private Process StartWriterProcess(string key, int count, int writer) =>
        Start("write", IndexPath, key, count.ToString(), writer.ToString());

    /// <summary>Runs this test assembly's <see cref="Program"/> as a separate process.</summary>
    private static Process Start(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(dotnet) { RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, typeof(Program).Assembly.GetName().Name + ".dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        return Process.Start(info)!;
    }
}
