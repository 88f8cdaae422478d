using System.Diagnostics;

namespace Ashlar.Cli.Tests.Progress;

/// <summary>The CLI under a real pseudo-terminal (util-linux <c>script</c>): <c>--progress auto</c> picks the live view.</summary>
public sealed class TerminalProgressTests(BusyboxStore store) : IClassFixture<BusyboxStore>
{
    [Fact]
    public async Task On_a_terminal_auto_redraws_in_place_and_ends_with_the_summary()
    {
        var context = store.Context("FROM busybox\nRUN echo from the terminal\n");
        var typescript = Path.Combine(store.Root, "typescript-" + Guid.NewGuid().ToString("N")[..8]);
        var command = string.Join(' ', new[] { "dotnet", Path.Combine(AppContext.BaseDirectory, "ashlar.dll"), "--root", store.StoreRoot, "build", "-t", "progress-tty", context }.Select(Quote));

        var start = new ProcessStartInfo("script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "-qefc", command, typescript }) start.ArgumentList.Add(arg);
        start.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);

        var output = await File.ReadAllTextAsync(typescript);
        Assert.True(process.ExitCode == 0, output + await stderr);
        Assert.Matches(@"\x1b\[\d+A", output); // cursor up: the frame is redrawn in place
        Assert.Contains("[+] Building", output);
        Assert.Contains("FINISHED", output);
        Assert.Contains("RUN echo from the terminal", output);
        // script(1) may add its own "Script started/done" lines around the session.
        var tail = output.Replace("\r", "").Split('\n')
            .Where(l => l.Length > 0 && !l.StartsWith("Script ", StringComparison.Ordinal)).TakeLast(2).ToList();
        Assert.Equal("naming to docker.io/library/progress-tty:latest done", tail[0].Replace("\x1b[?25h", ""));
        Assert.Matches(@"^writing image sha256:[0-9a-f]{64} done$", tail[1]);
    }

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
}
