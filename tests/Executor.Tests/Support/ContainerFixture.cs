using Ashlar.Executor.Containers;
using Ashlar.Executor.Snapshots;

namespace Ashlar.Executor.Tests.Support;

/// <summary>A snapshot store with a committed busybox base ("base"), and helpers to run steps on it.</summary>
public sealed class ContainerFixture : IDisposable
{
    public ContainerFixture()
    {
        InitPath = NativeInit.EnsureConfigured();
        Root = Directory.CreateTempSubdirectory("ashlar-executor-tests-").FullName;
        Snapshots = new Snapshotter(Path.Combine(Root, "snapshots"));
        var mounts = Snapshots.Prepare("base-extract", null);
        BusyboxRootfs.Write(mounts[0].UpperDirectory!);
        Snapshots.Commit("base", "base-extract");
    }

    /// <summary>The AOT init in use, or null when the tests run on the JIT fallback.</summary>
    public string? InitPath { get; }
    public string Root { get; }
    public Snapshotter Snapshots { get; }

    /// <summary>Runs a shell command in a fresh active snapshot on <paramref name="parent"/>; returns the result, output and the snapshot key.</summary>
    public async Task<StepRun> RunAsync(string script, string parent = "base", Func<ContainerSpec, ContainerSpec>? configure = null, CancellationToken cancellationToken = default)
    {
        var key = "step-" + Guid.NewGuid().ToString("N");
        var mounts = Snapshots.Prepare(key, parent);
        var stdout = new List<string>();
        var stderr = new List<string>();
        var spec = new ContainerSpec
        {
            Rootfs = mounts,
            Args = ["/bin/sh", "-c", script],
            StandardOutput = line => { lock (stdout) stdout.Add(line); },
            StandardError = line => { lock (stderr) stderr.Add(line); },
        };
        if (configure is not null) spec = configure(spec);
        var result = await Container.RunAsync(spec, cancellationToken);
        return new StepRun(key, mounts[0], result, stdout, stderr);
    }

    public void Dispose()
    {
        try { Snapshotter.DeleteTree(Root); }
        catch (IOException) { }
    }
}
