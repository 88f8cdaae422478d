using Ashlar.Builder.Tests.Support;
using Ashlar.Images.Formats;

namespace Ashlar.Builder.Tests;

public sealed class ArgTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    private static string Read(string root, string path) => File.ReadAllText(Path.Combine(root, path)).TrimEnd('\n');

    [Fact]
    public async Task Global_args_reach_from_and_a_redeclaration_inherits_their_value()
    {
        var files = await fixture.FilesAsync(fixture.Request("""
            ARG BASE=busybox
            ARG V=global
            FROM ${BASE}
            RUN echo "[$V]" > /before
            ARG V
            RUN echo "[$V]" > /after
            """));
        Assert.Equal("[]", Read(files, "before"));
        Assert.Equal("[global]", Read(files, "after"));
    }

    [Fact]
    public async Task Build_args_override_defaults_and_env_overrides_arg()
    {
        var request = fixture.Request("""
            FROM busybox
            ARG V=default
            ARG W=default
            RUN echo "$V $W" > /args
            ENV W=env
            RUN echo "$W" > /env
            """) with { BuildArgs = new Dictionary<string, string> { ["V"] = "cli" } };
        var files = await fixture.FilesAsync(request);
        Assert.Equal("cli default", Read(files, "args"));
        Assert.Equal("env", Read(files, "env"));
    }

    [Fact]
    public async Task Expansion_uses_values_from_before_the_instruction()
    {
        var built = await fixture.BuildAsync("FROM busybox\nENV A=1\nENV A=2 B=$A\n");
        Assert.Contains("A=2", built.Config.Env!);
        Assert.Contains("B=1", built.Config.Env!);
    }

    [Fact]
    public async Task Run_history_lists_the_args_it_saw_but_not_proxies()
    {
        var request = fixture.Request("FROM busybox\nARG V=x\nRUN echo \"$V $http_proxy\" > /seen\n") with
        {
            BuildArgs = new Dictionary<string, string> { ["http_proxy"] = "http://127.0.0.1:3128" },
        };
        var built = await fixture.BuildAsync(request);
        Assert.Equal("RUN |1 V=x /bin/sh -c echo \"$V $http_proxy\" > /seen # buildkit", built.Image.Config.History![^1].CreatedBy);
        Assert.Empty(built.Result.Warnings);
        var files = await fixture.FilesAsync(request);
        Assert.Equal("x http://127.0.0.1:3128", Read(files, "seen"));
    }

    [Fact]
    public async Task Unused_build_args_are_warned_about()
    {
        var request = fixture.Request("FROM busybox\nARG USED\n") with
        {
            BuildArgs = new Dictionary<string, string> { ["USED"] = "1", ["NOBODY"] = "2" },
        };
        var built = await fixture.BuildAsync(request);
        var warning = Assert.Single(built.Result.Warnings);
        Assert.Contains("[NOBODY]", warning);
        Assert.Contains(built.Log.All, e => e.Kind == BuildEventKind.Warning);
    }

    [Fact]
    public async Task Automatic_platform_args_are_global_and_need_a_declaration_in_a_stage()
    {
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN echo "[$TARGETARCH]" > /undeclared
            ARG TARGETARCH
            ARG TARGETPLATFORM
            ARG BUILDOS
            RUN echo "$TARGETARCH $TARGETPLATFORM $BUILDOS" > /declared
            """));
        var current = Platform.Current;
        Assert.Equal("[]", Read(files, "undeclared"));
        Assert.StartsWith($"{current.Architecture} linux/{current.Architecture} linux", Read(files, "declared"));
    }
}
