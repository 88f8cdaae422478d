using Ashlar.Executor.Containers;
using Ashlar.Executor.Tests.Support;

namespace Ashlar.Executor.Tests.Containers;

/// <summary>User, groups, environment, working directory, devices, network and signals of the step's process.</summary>
[Collection(ContainerCollection.Name)]
public sealed class ProcessSetupTests(ContainerFixture fixture)
{
    [Fact]
    public async Task A_named_user_gets_its_ids_groups_and_home_from_the_image()
    {
        var run = await fixture.RunAsync("id; echo $HOME; grep CapEff /proc/self/status", configure: s => s with { User = "app" });

        Assert.Equal("uid=1000(app) gid=1000(app) groups=2000(extra)", run.Stdout[0]);
        Assert.Equal("/home/app", run.Stdout[1]);
        Assert.Equal("CapEff:\t0000000000000000", run.Stdout[2]);
    }

    [Fact]
    public async Task Numeric_ids_need_no_passwd_entry()
    {
        var run = await fixture.RunAsync("id -u; id -g", configure: s => s with { User = "4242:4343" });

        Assert.Equal(["4242", "4343"], run.Stdout);
    }

    [Fact]
    public async Task Env_and_a_missing_working_directory_are_set_up()
    {
        var run = await fixture.RunAsync("pwd; echo $GREETING; echo $PATH",
            configure: s => s with { Env = ["GREETING=hi there"], WorkingDirectory = "/srv/app/deep" });

        Assert.Equal(["/srv/app/deep", "hi there", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], run.Stdout);
    }

    [Fact]
    public async Task Dev_has_the_minimal_devices()
    {
        var run = await fixture.RunAsync("ls /dev | sort | tr '\\n' ' '; echo; head -c 4 /dev/urandom | wc -c; echo x > /dev/null && echo null-ok");

        Assert.Equal("core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ", run.Stdout[0]);
        Assert.Equal("4", run.Stdout[1].Trim());
        Assert.Equal("null-ok", run.Stdout[2]);
    }

    [Fact]
    public async Task Network_none_has_only_loopback_and_it_is_up()
    {
        var run = await fixture.RunAsync("ls /sys/class/net; cat /sys/class/net/lo/operstate /sys/class/net/lo/flags",
            configure: s => s with { Network = NetworkMode.None });

        Assert.Equal("lo", run.Stdout[0]);
        Assert.Equal(1, Convert.ToInt32(run.Stdout[2], 16) & 1); // IFF_UP
    }

    [Fact]
    public async Task Signals_start_at_their_defaults()
    {
        // .NET ignores SIGPIPE; a command must not inherit that (yes | head would never end otherwise).
        var run = await fixture.RunAsync("grep -E '^Sig(Ign|Blk)' /proc/self/status; yes | head -n 1");

        Assert.True(run.Stdout.Contains("SigIgn:\t0000000000000000"), string.Join('|', run.Stdout));
        Assert.Contains("SigBlk:\t0000000000000000", run.Stdout);
        Assert.Equal("y", run.Stdout[^1]);
    }

    [Fact]
    public async Task The_jit_started_init_works_as_a_fallback()
    {
        InitBinary.Override = InitBinary.JitStarted() ?? throw new InvalidOperationException("ashlar-init.dll is not next to the tests");
        try
        {
            var run = await fixture.RunAsync("echo $$; grep CapEff /proc/self/status");

            Assert.Equal(["1", "CapEff:\t00000000a80425fb"], run.Stdout);
        }
        finally { InitBinary.Override = null; }
    }

    [Fact]
    public async Task A_read_only_bind_mount_cannot_be_written()
    {
        var source = Directory.CreateTempSubdirectory("ashlar-ro-").FullName;
        await File.WriteAllTextAsync(Path.Combine(source, "in.txt"), "from host\n");

        var run = await fixture.RunAsync("cat /in/in.txt; touch /in/new 2>/dev/null || echo refused",
            configure: s => s with { Mounts = [ContainerMount.Bind(source, "/in", readOnly: true)] });

        Assert.Equal(["from host", "refused"], run.Stdout);
        Directory.Delete(source, recursive: true);
    }
}
