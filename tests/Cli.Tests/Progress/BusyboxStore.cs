using System.Formats.Tar;
using System.Text.RegularExpressions;

namespace Ashlar.Cli.Tests.Progress;

/// <summary>
/// A temporary store holding <c>busybox:latest</c>, made the way a user makes it: <c>ashlar import</c> of a rootfs tar
/// with the host's busybox-static. Builds run the real CLI against it.
/// </summary>
public sealed class BusyboxStore : IAsyncLifetime
{
    public string Root { get; } = Directory.CreateTempSubdirectory("ashlar-cli-progress-").FullName;
    public string StoreRoot => Path.Combine(Root, "store");

    private string RootfsTar => Path.Combine(Root, "busybox.tar");

    public async Task InitializeAsync()
    {
        var rootfs = RootfsTar;
        await using (var file = File.Create(rootfs))
        await using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "bin/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8) });
            await using (var busybox = File.OpenRead("/bin/busybox"))
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "bin/busybox") { Mode = (UnixFileMode)Convert.ToInt32("755", 8), DataStream = busybox });
            foreach (var applet in new[] { "sh", "cat", "echo" })
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "bin/" + applet) { LinkName = "busybox" });
        }
        await ImportAsync(StoreRoot);
    }

    /// <summary>
    /// Another store with only busybox in it: a snapshot of progress must not depend on what the cache holds from the
    /// tests that ran before it (the miss reasons would change).
    /// </summary>
    public async Task<string> NewStoreAsync()
    {
        var root = Path.Combine(Root, "store-" + Guid.NewGuid().ToString("N")[..8]);
        await ImportAsync(root);
        return root;
    }

    private async Task ImportAsync(string storeRoot)
    {
        var imported = await AshlarProcess.RunAsync("--root", storeRoot, "import", RootfsTar, "busybox:latest");
        Assert.True(imported.ExitCode == 0, imported.Stderr);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        return Task.CompletedTask;
    }

    /// <summary>A fresh context with a Dockerfile and the given files.</summary>
    public string Context(string dockerfile, params (string Path, string Content)[] files)
    {
        var dir = Directory.CreateDirectory(Path.Combine(Root, "ctx-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
        foreach (var (path, content) in files) File.WriteAllText(Path.Combine(dir, path), content);
        return dir;
    }

    /// <summary><c>ashlar --root STORE build ARGS...</c>.</summary>
    internal Task<AshlarProcess.Outcome> BuildAsync(params string[] args) => AshlarProcess.RunAsync(["--root", StoreRoot, "build", .. args]);

    /// <summary><c>ashlar --root <paramref name="storeRoot"/> build ARGS...</c>.</summary>
    internal static Task<AshlarProcess.Outcome> BuildInAsync(string storeRoot, params string[] args) => AshlarProcess.RunAsync(["--root", storeRoot, "build", .. args]);

    /// <summary>Progress output with what changes from run to run (times, digests) fixed, as lines.</summary>
    public static string[] Normalise(string output)
    {
        var text = Regex.Replace(output, @"sha256:[0-9a-f]{64}", "sha256:<digest>");
        text = Regex.Replace(text, @"^#(\d+) \d+\.\d{3} ", "#$1 0.000 ", RegexOptions.Multiline);
        text = Regex.Replace(text, @"^\d+\.\d{3} ", "0.000 ", RegexOptions.Multiline);
        text = Regex.Replace(text, @"DONE \d+\.\d+s", "DONE 0.0s");
        text = Regex.Replace(text, @"""elapsed"":[0-9.]+", @"""elapsed"":0");
        return text.TrimEnd('\n').Split('\n');
    }
}
