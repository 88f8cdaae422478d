using System.Diagnostics;

/// <summary>
/// `runc run` on an equivalent bundle (same busybox rootfs, same command, runc's default spec: new mount, pid,
/// uts, ipc and network namespaces, Docker-like /dev, /proc and capabilities) for the side-by-side number.
/// </summary>
internal static class Runc
{
    public static (List<double> Times, double CpuPerRun) Measure(string rootfs, string work, int steps)
    {
        var runc = new[] { "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc" }.FirstOrDefault(File.Exists);
        var times = new List<double>();
        if (runc is null) return (times, 0);
        var bundle = Path.Combine(work, "runc-bundle");
        Directory.CreateDirectory(bundle);
        Busybox.Copy(rootfs, Path.Combine(bundle, "rootfs"));
        Run(runc, ["spec"], bundle);
        var config = File.ReadAllText(Path.Combine(bundle, "config.json"))
            .Replace("\"terminal\": true", "\"terminal\": false")
            .Replace("\"readonly\": true", "\"readonly\": false")
            .Replace("\"sh\"\n", "\"sh\", \"-c\", \"echo step > /marker\"\n");
        File.WriteAllText(Path.Combine(bundle, "config.json"), config);
        var cpuStart = TimeSpan.Zero;
        for (var i = -10; i < steps; i++)
        {
            if (i == 0) cpuStart = CpuClock.Now;
            var watch = Stopwatch.StartNew();
            Run(runc, ["run", "--bundle", bundle, $"ashlar-bench-{Environment.ProcessId}-{i}"], bundle);
            if (i >= 0) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return (times, (CpuClock.Now - cpuStart).TotalMilliseconds / steps);
    }

    private static void Run(string runc, string[] args, string directory)
    {
        var process = Process.Start(new ProcessStartInfo(runc, args) { WorkingDirectory = directory, RedirectStandardInput = true })!;
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"runc {string.Join(' ', args)} exited {process.ExitCode}");
    }
}
