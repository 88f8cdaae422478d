using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

public sealed class RunTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task Run_output_lands_in_a_layer_with_history()
    {
        var built = await fixture.BuildAsync("FROM busybox\nRUN echo hello > /greeting && echo done\n");
        Assert.Equal(2, built.Image.Manifest.Layers.Count);
        Assert.Contains("done", built.Log.Output);
        Assert.Equal("RUN /bin/sh -c echo hello > /greeting && echo done # buildkit", built.Image.Config.History![^1].CreatedBy);
        var files = await fixture.FilesAsync(fixture.Request("FROM busybox\nRUN echo hello > /greeting\n"));
        Assert.Equal("hello\n", File.ReadAllText(Path.Combine(files, "greeting")));
    }

    [Fact]
    public async Task Run_uses_the_stages_env_user_workdir_and_shell()
    {
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            ENV GREETING=hi
            WORKDIR /work
            USER app
            SHELL ["/bin/sh", "-e", "-c"]
            RUN echo "$GREETING $(id -u) $(pwd)" > /tmp/out
            """));
        Assert.Equal("hi 1000 /work\n", File.ReadAllText(Path.Combine(files, "tmp/out")));
    }

    [Fact]
    public async Task Exec_form_and_heredoc()
    {
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN ["/bin/sh", "-c", "echo exec > /exec"]
            RUN <<EOF
            echo one > /heredoc
            echo two >> /heredoc
            EOF
            """));
        Assert.Equal("exec\n", File.ReadAllText(Path.Combine(files, "exec")));
        Assert.Equal("one\ntwo\n", File.ReadAllText(Path.Combine(files, "heredoc")));
    }

    [Fact]
    public async Task A_failing_run_reports_exit_code_output_and_line_and_tags_nothing()
    {
        var request = fixture.Request("FROM busybox\nRUN echo before-failure && exit 3\nRUN echo never\n") with { Tags = ["failing:latest"] };
        var error = await Assert.ThrowsAsync<BuildException>(() => Builder.BuildAsync(request));
        Assert.Equal(3, error.ExitCode);
        Assert.Equal(2, error.Line);
        Assert.Contains("exit code: 3", error.Message);
        Assert.Contains("before-failure", error.Message);
        Assert.Contains(error.Excerpt, l => l.Contains(">>> RUN echo before-failure"));
        Assert.Null(await fixture.Store.ResolveAsync(Images.References.ImageReference.Parse("failing:latest")));
        Assert.NotNull(await fixture.Store.ResolveAsync(Images.References.ImageReference.Parse(BusyboxImage.Name)));
    }
}
