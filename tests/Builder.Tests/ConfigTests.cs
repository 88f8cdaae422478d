using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

public sealed class ConfigTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task Metadata_instructions_fill_dockers_config_fields()
    {
        var request = fixture.Request("""
            FROM busybox
            MAINTAINER someone@example.com
            LABEL a=1 "b c"="d e"
            ENV HOME_DIR=/srv
            EXPOSE 80 53/udp 8000-8001
            VOLUME ["/data", "$HOME_DIR"]
            WORKDIR $HOME_DIR/app
            USER app
            STOPSIGNAL SIGTERM
            SHELL ["/bin/sh", "-e", "-c"]
            CMD echo hi
            HEALTHCHECK --interval=30s --timeout=5s --retries=2 CMD wget -q localhost || exit 1
            """) with { Labels = new Dictionary<string, string> { ["from.request"] = "yes" } };
        var built = await fixture.BuildAsync(request);
        var config = built.Config;
        Assert.Equal("someone@example.com", built.Image.Config.Author);
        Assert.Equal("1", config.Labels!["a"]);
        Assert.Equal("d e", config.Labels!["b c"]);
        Assert.Equal("yes", config.Labels!["from.request"]);
        Assert.Equal(["53/udp", "80/tcp", "8000/tcp", "8001/tcp"], config.ExposedPorts!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["/data", "/srv"], config.Volumes!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("/srv/app", config.WorkingDir);
        Assert.Equal("app", config.User);
        Assert.Equal("SIGTERM", config.StopSignal);
        Assert.Equal(["/bin/sh", "-e", "-c"], config.Shell!);
        Assert.Equal(["/bin/sh", "-e", "-c", "echo hi"], config.Cmd!);
        Assert.Equal(["CMD-SHELL", "wget -q localhost || exit 1"], config.Healthcheck!.Test!);
        Assert.Equal(30_000_000_000, config.Healthcheck.Interval);
        Assert.Equal(5_000_000_000, config.Healthcheck.Timeout);
        Assert.Equal(2, config.Healthcheck.Retries);

        // WORKDIR made a layer (the directory did not exist); the metadata steps are empty layers.
        var history = built.Image.Config.History!.Skip(1).ToList();
        Assert.Equal(built.Image.Manifest.Layers.Count, built.Image.Config.History!.Count(h => h.EmptyLayer != true));
        Assert.Contains(history, h => h.CreatedBy == "WORKDIR /srv/app" && h.EmptyLayer is null);
        Assert.Contains(history, h => h.CreatedBy == "ENV HOME_DIR=/srv" && h.EmptyLayer == true);
        Assert.Contains(history, h => h.CreatedBy == "EXPOSE map[53/udp:{} 80/tcp:{} 8000/tcp:{} 8001/tcp:{}]");
        Assert.Contains(history, h => h.CreatedBy == "CMD [\"/bin/sh\" \"-e\" \"-c\" \"echo hi\"]");
        Assert.Contains(history, h => h.CreatedBy == "HEALTHCHECK &{[\"CMD-SHELL\" \"wget -q localhost || exit 1\"] \"30s\" \"5s\" \"0s\" \"0s\" '\\x02'}");

        var files = await fixture.FilesAsync(request);
        Assert.True(Directory.Exists(Path.Combine(files, "srv/app")));
    }

    [Fact]
    public async Task Entrypoint_resets_an_inherited_cmd_but_keeps_one_set_in_the_stage()
    {
        var reset = await fixture.BuildAsync("FROM busybox\nENTRYPOINT [\"/bin/echo\"]\n");
        Assert.Null(reset.Config.Cmd);
        Assert.Equal(["/bin/echo"], reset.Config.Entrypoint!);
        var kept = await fixture.BuildAsync("FROM busybox\nCMD [\"hello\"]\nENTRYPOINT [\"/bin/echo\"]\n");
        Assert.Equal(["hello"], kept.Config.Cmd!);
        var inherited = await fixture.BuildAsync("FROM busybox\nENV X=1\n");
        Assert.Equal(["sh"], inherited.Config.Cmd!);
    }

    [Fact]
    public async Task Healthcheck_none_and_scratch_defaults()
    {
        var built = await fixture.BuildAsync("FROM scratch\nHEALTHCHECK NONE\n");
        Assert.Equal(["NONE"], built.Config.Healthcheck!.Test!);
        Assert.Equal(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], built.Config.Env!);
        Assert.Empty(built.Image.Manifest.Layers);
        Assert.Equal("HEALTHCHECK &{[\"NONE\"] \"0s\" \"0s\" \"0s\" \"0s\" '\\x00'}", built.Image.Config.History!.Last().CreatedBy);
    }

    [Fact]
    public async Task Healthcheck_history_has_current_buildkits_start_interval_field()
    {
        var built = await fixture.BuildAsync("FROM scratch\nHEALTHCHECK --start-period=3s --start-interval=2s --retries=5 CMD [\"/check\"]\n");
        Assert.Equal(2_000_000_000, built.Config.Healthcheck!.StartInterval);
        // %q of dockerspec.HealthcheckConfig: Test, Interval, Timeout, StartPeriod, StartInterval, Retries.
        Assert.Equal("HEALTHCHECK &{[\"CMD\" \"/check\"] \"0s\" \"0s\" \"3s\" \"2s\" '\\x05'}", built.Image.Config.History!.Last().CreatedBy);
    }
}
