using Ashlar.Parser.Instructions;

namespace Ashlar.Parser.Tests.Instructions;

public sealed class RunMountTests
{
    private static RunInstruction Run(string line) =>
        Assert.IsType<RunInstruction>(DockerfileParser.Parse("FROM alpine\n" + line + "\n").Stages[0].Instructions[0]);

    [Fact]
    public void Cache_mount_reads_every_option()
    {
        var mount = Assert.Single(Run("RUN --mount=type=cache,id=go,target=/root/.cache,sharing=locked,mode=0700,uid=1000,gid=1001,from=base,source=/c,ro go build").Mounts);

        Assert.Equal(MountType.Cache, mount.Type);
        Assert.Equal("go", mount.Id);
        Assert.Equal("/root/.cache", mount.Target);
        Assert.Equal(CacheSharing.Locked, mount.Sharing);
        Assert.Equal(Convert.ToInt32("700", 8), mount.Mode);
        Assert.Equal(1000, mount.Uid);
        Assert.Equal(1001, mount.Gid);
        Assert.Equal("base", mount.From);
        Assert.Equal("/c", mount.Source);
        Assert.True(mount.ReadOnly);
    }

    [Fact]
    public void Defaults_follow_the_reference()
    {
        var run = Run("RUN --mount=target=/src --mount=type=cache,target=/c --mount=type=tmpfs,target=/t --mount=type=secret,id=npmrc --mount=type=ssh true");

        var (bind, cache, tmpfs, secret, ssh) = (run.Mounts[0], run.Mounts[1], run.Mounts[2], run.Mounts[3], run.Mounts[4]);
        Assert.Equal(MountType.Bind, bind.Type);
        Assert.True(bind.ReadOnly);
        Assert.False(cache.ReadOnly);
        Assert.Equal(CacheSharing.Shared, cache.Sharing);
        Assert.Equal("/c", cache.EffectiveId);
        Assert.Equal(Convert.ToInt32("755", 8), cache.EffectiveMode);
        Assert.False(tmpfs.ReadOnly);
        Assert.Null(tmpfs.SizeLimit);
        Assert.Equal("/run/secrets/npmrc", secret.EffectiveTarget);
        Assert.Equal(Convert.ToInt32("400", 8), secret.EffectiveMode);
        Assert.False(secret.Required);
        Assert.Equal("default", ssh.EffectiveId);
        Assert.Equal("/run/buildkit/ssh_agent.0", ssh.EffectiveTarget);
        Assert.Equal(Convert.ToInt32("600", 8), ssh.EffectiveMode);
    }

    [Fact]
    public void Keys_are_case_insensitive_and_flags_toggle()
    {
        var run = Run("RUN --mount=Type=Bind,Target=/src,RW --mount=type=secret,id=a,required,env=TOKEN --mount=type=tmpfs,dst=/t,size=64m x");

        Assert.False(run.Mounts[0].ReadOnly);
        Assert.True(run.Mounts[1].Required);
        Assert.Equal("TOKEN", run.Mounts[1].Env);
        Assert.Equal(64L * 1024 * 1024, run.Mounts[2].SizeLimit);
    }

    [Fact]
    public void Quoted_csv_values_may_hold_commas()
    {
        var mount = Assert.Single(Run("RUN --mount=type=bind,\\\"source=a,b\\\",target=/x cat /x").Mounts);
        Assert.Equal("a,b", mount.Source);
    }

    [Fact]
    public void Values_with_variables_wait_for_expansion()
    {
        var mount = Assert.Single(Run("RUN --mount=type=cache,target=$CACHE,uid=$UID true").Mounts);
        Assert.True(mount.NeedsExpansion);
        Assert.Equal("$CACHE", mount.Target);
        Assert.Null(mount.Uid);

        var expanded = RunMount.Parse(mount.Raw, word => word.Replace("$CACHE", "/c").Replace("$UID", "42"));
        Assert.Equal(("/c", 42, false), (expanded.Target, expanded.Uid, expanded.NeedsExpansion));
    }

    [Theory]
    [InlineData("type=cahce,target=/c", "unsupported mount type \"cahce\"; did you mean cache?")]
    [InlineData("type=bind,target=/c,mode=0755", "mode not allowed for \"bind\" type mounts")]
    [InlineData("type=bind,target=/c,sharing=locked", "invalid key 'sharing' for mount type 'bind'")]
    [InlineData("type=cache,target=/c,sharing=sometimes", "unrecognized sharing parameter: sometimes")]
    [InlineData("type=cache,target=/c,tagret=/d", "unexpected key 'tagret' in 'tagret=/d'; did you mean target?")]
    [InlineData("type=secret,id=a,from=base", "secret mount should not have a from")]
    [InlineData("type=secret", "one of source, target required")]
    [InlineData("type=bind,target=/c,required", "unexpected key 'required' for mount type 'bind'")]
    [InlineData("type=cache", "mount type cache requires a target")]
    [InlineData("type=cache,target=/c,uid=abc", "invalid value for uid: abc")]
    [InlineData("type=tmpfs,target=/t,size=lots", "invalid size: 'lots'")]
    [InlineData("type=bind,target=a\\\"b", "invalid mount options")]
    [InlineData("", "invalid mount options")]
    public void Bad_mounts_are_rejected_with_a_reason(string spec, string message)
    {
        var error = Assert.Throws<ParseError>(() => DockerfileParser.Parse($"FROM alpine\nRUN --mount={spec} true\n"));
        Assert.Contains(message, error.Message);
        Assert.Equal(2, error.Line);
    }
}
