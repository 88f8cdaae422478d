using Ashlar.Images.Store;

namespace Ashlar.Cli.Tests.Support;

/// <summary>
/// A temporary store with <c>busybox:latest</c> made from the host's /bin/busybox (busybox-static), and the
/// <c>ashlar</c> CLI run against it as a real process.
/// </summary>
internal sealed class TestStore : IDisposable
{
    public TestStore()
    {
        NativeInit.EnsureConfigured();
        Directory = System.IO.Directory.CreateTempSubdirectory("ashlar-cli-store-").FullName;
        Store = ImageStore.Open(Root);
    }

    /// <summary>The temporary directory: the store is in <c>store/</c>, contexts beside it.</summary>
    public string Directory { get; }

    public string Root => Path.Combine(Directory, "store");

    public ImageStore Store { get; }

    /// <summary>Runs <c>ashlar --root ROOT args...</c>.</summary>
    public Task<AshlarProcess.Outcome> RunAsync(params string[] args) => AshlarProcess.RunAsync(["--root", Root, .. args]);

    /// <summary>Starts <c>ashlar --root ROOT args...</c> without waiting.</summary>
    public AshlarProcess.Running Start(string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        AshlarProcess.Start(["--root", Root, .. args], environment);

    /// <summary>A fresh context directory holding a Dockerfile and the given files.</summary>
    public string Context(string dockerfile, params (string Path, string Content)[] files)
    {
        var dir = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "ctx-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(dir, path);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return dir;
    }

    /// <summary>Makes a one-layer busybox image named <paramref name="name"/>; <paramref name="padding"/> bytes of random data make it bigger.</summary>
    public Task ImportBusyboxAsync(string name = "busybox:latest", int padding = 0) =>
        Ashlar.Builder.Tests.Support.BusyboxImage.ImportAsync(Store, name, padding);

    public static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    /// <summary>What dead builds can leave behind, as paths relative to the store; empty when the store is clean.</summary>
    public List<string> Leftovers()
    {
        var found = new List<string>();
        void Add(string dir, string pattern)
        {
            var full = Path.Combine(Root, dir);
            if (System.IO.Directory.Exists(full))
                found.AddRange(System.IO.Directory.EnumerateFileSystemEntries(full, pattern).Select(p => Path.GetRelativePath(Root, p)));
        }
        Add("leases", "*");
        Add("tmp", "build-*");
        Add("ingest", "*");
        Add("snapshots", "removing-*");
        found.AddRange(System.IO.Directory.EnumerateFiles(Root, "*.tmp").Select(p => Path.GetRelativePath(Root, p)));
        var snapshots = Path.Combine(Root, "snapshots");
        if (System.IO.Directory.Exists(snapshots))
            foreach (var info in System.IO.Directory.EnumerateFiles(snapshots, "info", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(snapshots, info);
                if (relative.Count(c => c == '/') != 1 || relative.StartsWith("removing-", StringComparison.Ordinal)) continue;
                var name = File.ReadAllLines(info).FirstOrDefault(l => l.StartsWith("name=", StringComparison.Ordinal))?[5..] ?? "";
                var kind = File.ReadAllLines(info).FirstOrDefault(l => l.StartsWith("kind=", StringComparison.Ordinal))?[5..] ?? "";
                if (kind != "Committed" || name.StartsWith("build:", StringComparison.Ordinal))
                    found.Add($"snapshot {name} ({kind})");
            }
        return found;
    }

    public void Dispose()
    {
        // Overlay-written files may be owned by other uids and modes; root removes them all.
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
