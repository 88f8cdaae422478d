using System.Diagnostics;

namespace Ashlar.Cli.Tests;

/// <summary>Runs the built <c>ashlar</c> CLI (ashlar.dll beside the tests) as a real process.</summary>
internal static class AshlarProcess
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static async Task<Outcome> RunAsync(params string[] args)
    {
        using var running = Start(args);
        return await running.WaitAsync();
    }

    /// <summary>Starts the CLI without waiting, e.g. to kill it midway; <paramref name="environment"/> adds variables.</summary>
    public static Running Start(string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "ashlar.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        var process = Process.Start(start)!;
        return new Running(process, process.StandardOutput.ReadToEndAsync(), process.StandardError.ReadToEndAsync());
    }

    /// <summary>A started CLI process.</summary>
    public sealed class Running(Process process, Task<string> stdout, Task<string> stderr) : IDisposable
    {
        public Process Process => process;

        public async Task<Outcome> WaitAsync()
        {
            await process.WaitForExitAsync();
            return new Outcome(process.ExitCode, await stdout, await stderr);
        }

        /// <summary>SIGKILL, as a crash or an OOM kill would end it, and waits until it is gone.</summary>
        public async Task KillAsync()
        {
            try { process.Kill(entireProcessTree: false); }
            catch (InvalidOperationException) { } // already exited
            await process.WaitForExitAsync();
        }

        public void Dispose() => process.Dispose();
    }

    /// <summary>The repository root: the folder above the tests that holds Builder.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Builder.sln"))) return dir.FullName;
        throw new InvalidOperationException("Builder.sln not found above " + AppContext.BaseDirectory);
    }
}
