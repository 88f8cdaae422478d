using System.Net.Sockets;
using System.Text;
using Ashlar.Builder.Solving.Mounts;
using Ashlar.Builder.Tests.Support;

namespace Ashlar.Builder.Tests;

/// <summary>
/// <c>RUN --mount=type=ssh</c> with <c>--ssh</c>: where BuildKit puts the agent socket, who owns it, SSH_AUTH_SOCK,
/// and what happens when the agent was not forwarded. The piping itself is tested on the proxy (busybox has no
/// Unix-socket client to talk to an agent from inside the step).
/// </summary>
public sealed class RunMountSshTests(BuildFixture fixture) : IClassFixture<BuildFixture>
{
    [Fact]
    public async Task The_agent_socket_lands_at_ssh_agent_N_with_its_owner_and_mode_and_SSH_AUTH_SOCK_names_the_first()
    {
        using var agent = FakeAgent.Start();
        var request = fixture.Request("""
            FROM busybox
            RUN --mount=type=ssh --mount=type=ssh,id=work,uid=1000,gid=2000,mode=0660 \
                (echo "$SSH_AUTH_SOCK"; stat -c '%F %u:%g %a' /run/buildkit/ssh_agent.0 /run/buildkit/ssh_agent.1) > /seen
            RUN --mount=type=ssh,target=/agent.sock stat -c '%F' /agent.sock > /custom && echo "$SSH_AUTH_SOCK" >> /custom
            """) with { Ssh = [new BuildSsh("default", [agent.Path]), BuildSsh.Parse("work=" + agent.Path)] };
        var files = await fixture.FilesAsync(request);

        Assert.Equal("/run/buildkit/ssh_agent.0\nsocket 0:0 600\nsocket 1000:2000 660\n", File.ReadAllText(Path.Combine(files, "seen")));
        Assert.Equal("socket\n/agent.sock\n", File.ReadAllText(Path.Combine(files, "custom")));
        // The mount points never reach the image.
        Assert.False(Directory.Exists(Path.Combine(files, "run/buildkit")));
        Assert.False(File.Exists(Path.Combine(files, "agent.sock")));
    }

    [Fact]
    public async Task A_missing_agent_is_absent_unless_required_then_the_step_fails_clearly()
    {
        var files = await fixture.FilesAsync(fixture.Request("""
            FROM busybox
            RUN --mount=type=ssh (test -e /run/buildkit/ssh_agent.0 && echo there || echo absent) > /seen
            """));
        Assert.Equal("absent\n", File.ReadAllText(Path.Combine(files, "seen")));

        var error = await Assert.ThrowsAsync<BuildException>(() => fixture.BuildAsync("""
            FROM busybox
            RUN --mount=type=ssh,id=deploy,required true
            """));
        Assert.Contains("no SSH agent \"deploy\" was forwarded: pass --ssh deploy", error.Message);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task A_key_file_instead_of_an_agent_socket_is_a_clear_error()
    {
        var key = Path.Combine(fixture.Root, "id_test");
        File.WriteAllText(key, "not a socket");
        var request = fixture.Request("FROM busybox\nRUN --mount=type=ssh true\n") with { Ssh = [BuildSsh.Parse("default=" + key)] };

        var error = await Assert.ThrowsAsync<BuildException>(() => fixture.BuildAsync(request));

        Assert.Contains("only an agent socket can be forwarded", error.Message);
    }

    [Fact]
    public async Task The_proxy_pipes_each_connection_to_the_agent_and_keeps_the_agent_socket_untouched()
    {
        using var agent = FakeAgent.Start();
        var before = File.GetUnixFileMode(agent.Path);
        var directory = Path.Combine(fixture.Root, "proxy-" + Guid.NewGuid().ToString("N")[..8]);
        using (var proxy = SshAgentProxy.Start(agent.Path, directory, 1000, 2000, Convert.ToUInt32("600", 8)))
        {
            for (var i = 0; i < 2; i++)
            {
                using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await client.ConnectAsync(new UnixDomainSocketEndPoint(proxy.SocketPath));
                await client.SendAsync(Encoding.ASCII.GetBytes($"ping{i}\n"));
                var buffer = new byte[64];
                var read = await client.ReceiveAsync(buffer);
                Assert.Equal($"agent:ping{i}\n", Encoding.ASCII.GetString(buffer, 0, read));
            }
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(proxy.SocketPath));
        }
        Assert.Equal(before, File.GetUnixFileMode(agent.Path));
        Assert.False(File.Exists(Path.Combine(directory, "agent.sock")));
    }

    [Fact]
    public void Ssh_flags_parse_like_docker()
    {
        Assert.Equal(new BuildSsh("default", []).Id, BuildSsh.Parse("default").Id);
        Assert.Empty(BuildSsh.Parse("default").Sockets);
        Assert.Equal(["/run/agent.sock"], BuildSsh.Parse("gh=/run/agent.sock").Sockets);
        Assert.Throws<FormatException>(() => BuildSsh.Parse("=x"));
        Assert.Throws<FormatException>(() => BuildSsh.Parse("a=x,"));
    }

    /// <summary>A stand-in agent: answers each line with "agent:" and the line.</summary>
    private sealed class FakeAgent : IDisposable
    {
        private readonly Socket _listener;
        private readonly string _directory;

        private FakeAgent(string directory)
        {
            _directory = directory;
            Path = System.IO.Path.Combine(directory, "agent.sock");
            _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            _listener.Bind(new UnixDomainSocketEndPoint(Path));
            _listener.Listen(8);
            _ = ServeAsync();
        }

        public string Path { get; }

        public static FakeAgent Start() => new(Directory.CreateTempSubdirectory("ashlar-agent-").FullName);

        private async Task ServeAsync()
        {
            try
            {
                while (true)
                {
                    var connection = await _listener.AcceptAsync();
                    _ = Task.Run(async () =>
                    {
                        using (connection)
                        {
                            var buffer = new byte[64];
                            var read = await connection.ReceiveAsync(buffer);
                            await connection.SendAsync(Encoding.ASCII.GetBytes("agent:").Concat(buffer.Take(read)).ToArray());
                        }
                    });
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }

        public void Dispose()
        {
            _listener.Dispose();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
