using Ashlar.Builder.Graph;
using Ashlar.Executor.Containers;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Solving.Mounts;

/// <summary>
/// <c>RUN --mount=type=ssh</c> as BuildKit does it: the agent forwarded with <c>--ssh ID</c> appears as a socket at the
/// target (<c>/run/buildkit/ssh_agent.N</c>, N counting the step's ssh mounts), owned <c>uid</c>:<c>gid</c> with
/// <c>mode</c> (0600), and <c>SSH_AUTH_SOCK</c> names the first one unless the image sets it. An agent that was not
/// forwarded fails the step when the mount is <c>required</c>, and is simply absent otherwise.
/// </summary>
internal static class SshMount
{
    /// <summary>The default target of the <paramref name="index"/>th ssh mount of a step.</summary>
    public static string DefaultTarget(int index) => $"/run/buildkit/ssh_agent.{index}";

    /// <summary>
    /// Starts the proxy for <paramref name="mount"/> (its disposal goes to <paramref name="cleanup"/>) and returns the
    /// container mount, or nothing for an optional agent that is not there.
    /// </summary>
    public static IReadOnlyList<ContainerMount> Prepare(BuildRequest request, ExecMount mount, List<Action> cleanup)
    {
        var id = mount.Id ?? "default";
        var agent = AgentSocket(request, id);
        if (agent is null)
        {
            if (mount.Required)
                throw new BuildException($"RUN --mount=type=ssh: no SSH agent \"{id}\" was forwarded: pass --ssh {id}[=SOCKET] (with SSH_AUTH_SOCK set for \"default\")");
            return [];
        }
        // A short directory of its own: a socket path longer than 107 bytes cannot be bound.
        var proxy = SshAgentProxy.Start(agent, Directory.CreateTempSubdirectory("ashlar-ssh-").FullName,
            (uint)(mount.Uid ?? 0), (uint)(mount.Gid ?? 0), (uint)(mount.Mode ?? Convert.ToInt32("600", 8)));
        cleanup.Add(() => Directory.Delete(Path.GetDirectoryName(proxy.SocketPath)!, recursive: true));
        cleanup.Add(proxy.Dispose);
        return [ContainerMount.Bind(proxy.SocketPath, mount.Target, readOnly: false)];
    }

    /// <summary><c>SSH_AUTH_SOCK=</c> the first ssh mount's target, or null without one or when <paramref name="env"/> sets it.</summary>
    public static string? AuthSockEnv(IReadOnlyList<ExecMount> mounts, IEnumerable<string> env)
    {
        var first = mounts.FirstOrDefault(m => m.Type == Parser.Instructions.MountType.Ssh);
        if (first is null || env.Any(e => e.StartsWith("SSH_AUTH_SOCK=", StringComparison.Ordinal))) return null;
        return "SSH_AUTH_SOCK=" + first.Target;
    }

    // The socket of the agent forwarded under id: the given path, or the caller's SSH_AUTH_SOCK for a bare --ssh ID.
    private static string? AgentSocket(BuildRequest request, string id)
    {
        var ssh = request.Ssh.FirstOrDefault(s => s.Id == id);
        if (ssh is null) return null;
        var path = ssh.Sockets.Count == 0 ? Environment.GetEnvironmentVariable("SSH_AUTH_SOCK") : ssh.Sockets[0];
        if (string.IsNullOrEmpty(path))
            throw new BuildException($"--ssh {id}: SSH_AUTH_SOCK is not set; start an agent (ssh-agent, ssh-add) or give its socket: --ssh {id}=SOCKET");
        if (ssh.Sockets.Count > 1 || !IsSocket(path))
            throw new BuildException($"--ssh {id}={string.Join(',', ssh.Sockets)}: only an agent socket can be forwarded; load key files into an agent (ssh-add KEY) and pass its socket");
        return path;
    }

    private static bool IsSocket(string path) =>
        LibC.StatxAt(LibC.AT_FDCWD, path, 0, LibC.STATX_BASIC_STATS, out var st) == 0 && (st.Mode & LibC.S_IFMT) == LibC.S_IFSOCK;
}
