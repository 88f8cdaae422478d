using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

public sealed class OnbuildTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task Triggers_of_the_base_run_right_after_from_and_are_not_inherited()
    {
        var baseName = "onbuild-base-" + Guid.NewGuid().ToString("N")[..6] + ":latest";
        var parent = await fixture.BuildAsync(fixture.Request("FROM busybox\nONBUILD RUN echo triggered > /triggered\nONBUILD ENV FROM_TRIGGER=1\n") with { Tags = [baseName] });
        Assert.Equal(["RUN echo triggered > /triggered", "ENV FROM_TRIGGER=1"], parent.Config.OnBuild!);
        Assert.False(parent.Image.Manifest.Layers.Count > 1);

        var request = fixture.Request($"FROM {baseName}\nRUN cat /triggered > /seen\n");
        var child = await fixture.BuildAsync(request);
        Assert.Null(child.Config.OnBuild);
        Assert.Contains("FROM_TRIGGER=1", child.Config.Env!);
        var files = await fixture.FilesAsync(request);
        Assert.Equal("triggered\n", File.ReadAllText(Path.Combine(files, "seen")));
    }
}
