namespace Ashlar.Cli.Tests;

/// <summary>The command line's contract: help, exit codes, and the README's first command.</summary>
public class CommandLineTests
{
    [Fact]
    public async Task Help_lists_every_command()
    {
        var outcome = await AshlarProcess.RunAsync("--help");
        Assert.Equal(0, outcome.ExitCode);
        foreach (var command in new[] { "parse", "build", "run", "pull", "push", "images", "save", "load", "import" })
            Assert.Contains(command, outcome.Stdout);
    }

    [Fact]
    public async Task Unknown_option_is_a_usage_error_with_exit_code_2()
    {
        var outcome = await AshlarProcess.RunAsync("parse", "--no-such-flag");
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("--no-such-flag", outcome.Stderr);
    }

    [Fact]
    public async Task Readme_sample_parses_and_dumps()
    {
        var dockerfile = Path.Combine(AshlarProcess.RepositoryRoot(), "samples", "hello", "Dockerfile");
        var outcome = await AshlarProcess.RunAsync("parse", "-f", dockerfile, "--dump");
        Assert.Equal(0, outcome.ExitCode);
        Assert.Contains("(from \"${BASE}\" \"AS\" \"hello\")", outcome.Stdout);
        Assert.Contains("(entrypoint \"/app/hello.sh\")", outcome.Stdout);
    }

    [Fact]
    public async Task Parse_error_names_file_line_and_column()
    {
        var dockerfile = Path.Combine(Path.GetTempPath(), $"ashlar-cli-{Guid.NewGuid():N}.Dockerfile");
        await File.WriteAllTextAsync(dockerfile, "FROM busybox\nCOPPY a b\n");
        try
        {
            var outcome = await AshlarProcess.RunAsync("parse", "-f", dockerfile);
            Assert.NotEqual(0, outcome.ExitCode);
            Assert.Contains(":2:", outcome.Stderr);
            Assert.Contains("COPY", outcome.Stderr);
        }
        finally { File.Delete(dockerfile); }
    }
}
