using System.Diagnostics;

namespace Ashlar.Cli.Tests;

/// <summary>Runs the built <c>ashlar</c> CLI (ashlar.dll beside the tests) as a real process.</summary>
internal static class AshlarProcess
{
    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static async Task<Outcome> RunAsync(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "ashlar.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Outcome(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>The repository root: the folder above the tests that holds Builder.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Builder.sln"))) return dir.FullName;
        throw new InvalidOperationException("Builder.sln not found above " + AppContext.BaseDirectory);
    }
}
