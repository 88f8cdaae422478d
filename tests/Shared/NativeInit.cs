using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Ashlar.Tests.Shared;

/// <summary>
/// Publishes the NativeAOT init once per source version (cached under the temp dir, guarded by a lock file)
/// and points the executor at it. If publishing fails, the tests still run on the JIT-started init.
/// Compiled into each test project that runs containers (linked from tests/Shared).
/// </summary>
internal static class NativeInit
{
    // The executor's EnvironmentVariable and FileName; literal here because not every
    // test project that links this file sees the executor's internals.
    private const string EnvironmentVariable = "ASHLAR_INIT";
    private const string FileName = "ashlar-init";

    private static readonly Lazy<string?> Published = new(Publish);

    public static string? EnsureConfigured()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } existing) return existing;
        var path = Published.Value;
        if (path is not null) Environment.SetEnvironmentVariable(EnvironmentVariable, path);
        return path;
    }

    private static string? Publish()
    {
        var repo = FindRepositoryRoot();
        if (repo is null) return null;
        // Everything the init binary is compiled from, so a change in any of it republishes.
        var sources = new[] { "src/Executor", "src/Executor.Init", "src/Images" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(repo, d), "*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".cs") || f.EndsWith(".csproj")) && !f.Contains("/obj/") && !f.Contains("/bin/"))
            .Order(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in sources)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetRelativePath(repo, file)));
            hash.AppendData(File.ReadAllBytes(file));
        }
        var dir = Path.Combine(Path.GetTempPath(), "ashlar-test-init", Convert.ToHexStringLower(hash.GetHashAndReset())[..16]);
        var binary = Path.Combine(dir, FileName);
        Directory.CreateDirectory(dir);
        using var gate = AcquireLock(Path.Combine(dir, ".lock"));
        if (File.Exists(binary)) return binary;
        var publish = Process.Start(new ProcessStartInfo("dotnet",
            ["publish", Path.Combine(repo, "src/Executor.Init"), "-r", "linux-x64", "-c", "Release", "-o", dir + "/out", "--nologo", "-v", "q"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        publish.StandardOutput.ReadToEndAsync();
        publish.StandardError.ReadToEndAsync();
        if (!publish.WaitForExit(TimeSpan.FromMinutes(5)) || publish.ExitCode != 0) return null;
        File.Move(Path.Combine(dir, "out", FileName), binary);
        return binary;
    }

    private static FileStream AcquireLock(string path)
    {
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) { Thread.Sleep(200); }
        }
    }

    private static string? FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Builder.sln"))) return dir.FullName;
        return null;
    }
}
