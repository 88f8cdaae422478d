using System.Diagnostics;
using Ashlar.Executor.Containers;
using Ashlar.Executor.Diff;
using Ashlar.Executor.Init;
using Ashlar.Executor.Snapshots;

// The bench binary embeds the init, as the ashlar CLI does: started with the init argument it becomes PID 1.
if (args is [ContainerInit.Argument, ..]) return ContainerInit.Run();

var steps = args.Length > 0 ? int.Parse(args[0]) : 200;
// "--limits" runs every step in a cgroup with a memory limit (what `--memory` costs).
var limits = args.Contains("--limits") ? new ResourceLimits { MemoryBytes = 256 << 20 } : ResourceLimits.None;
var work = Directory.CreateTempSubdirectory("ashlar-executor-bench-").FullName;
try
{
    var rootfs = Path.Combine(work, "busybox");
    Busybox.Write(rootfs);
    var snapshots = new Snapshotter(Path.Combine(work, "snapshots"));
    var baseUpper = snapshots.Prepare("base-extract", null)[0].UpperDirectory!;
    Busybox.Copy(rootfs, baseUpper);
    snapshots.Commit("base", "base-extract");

    string[] script = ["/bin/sh", "-c", "echo step > /marker"];
    var phases = new Dictionary<string, List<double>> { ["prepare"] = [], ["run"] = [], ["diff"] = [], ["commit"] = [], ["step"] = [] };
    var cpuStart = TimeSpan.Zero;
    for (var i = -10; i < steps; i++) // the first ten warm up
    {
        if (i == 0) cpuStart = CpuClock.Now;
        var total = Stopwatch.StartNew();
        var watch = Stopwatch.StartNew();
        var mounts = snapshots.Prepare($"step-{i}", "base");
        var prepare = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        var result = await Container.RunAsync(new ContainerSpec { Rootfs = mounts, Args = script, Network = NetworkMode.Host, Limits = limits });
        if (result.ExitCode != 0) throw new InvalidOperationException($"step {i} failed: {result}");
        var run = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        await using (var layer = File.Create(Path.Combine(work, "layer.tar.gz")))
            await LayerDiff.WriteAsync(mounts[0].UpperDirectory!, layer);
        var diff = watch.Elapsed.TotalMilliseconds;
        watch.Restart();
        snapshots.Commit($"committed-{i}", $"step-{i}");
        var commit = watch.Elapsed.TotalMilliseconds;
        var step = total.Elapsed.TotalMilliseconds;
        if (i < 0) continue;
        phases["prepare"].Add(prepare); phases["run"].Add(run); phases["diff"].Add(diff); phases["commit"].Add(commit); phases["step"].Add(step);
    }

    var ashlarCpu = (CpuClock.Now - cpuStart).TotalMilliseconds / steps;
    var (runc, runcCpu) = args.Contains("--no-runc") ? ([], 0) : Runc.Measure(rootfs, work, steps);

    Console.WriteLine($"{steps} steps, median (p90) in ms; load average {File.ReadAllText("/proc/loadavg").Trim()}:");
    foreach (var (name, values) in phases)
        Console.WriteLine($"  ashlar {name,-8} {Median(values),7:F2} ({Percentile(values, 0.9):F2})");
    Console.WriteLine($"  ashlar CPU time per step (self + children, user + system): {ashlarCpu:F2} ms");
    if (runc.Count > 0)
    {
        Console.WriteLine($"  runc run        {Median(runc),7:F2} ({Percentile(runc, 0.9):F2})");
        Console.WriteLine($"  runc CPU time per run (children, user + system): {runcCpu:F2} ms; ratio {ashlarCpu / runcCpu:F2}x");
        Console.WriteLine($"  ratio ashlar step / runc run: {Median(phases["step"]) / Median(runc):F2}x; ashlar run / runc run: {Median(phases["run"]) / Median(runc):F2}x");
    }
    else if (!args.Contains("--no-runc")) Console.WriteLine("  runc not found: install it (apt-get install runc) for the side-by-side number");
    return 0;
}
finally
{
    Directory.Delete(work, recursive: true);
}

static double Median(List<double> values) => Percentile(values, 0.5);
static double Percentile(List<double> values, double p)
{
    var sorted = values.Order().ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Round(p * (sorted.Count - 1)))];
}
