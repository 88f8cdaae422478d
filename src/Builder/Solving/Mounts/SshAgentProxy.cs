using System.Net.Sockets;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Solving.Mounts;

/// <summary>
/// A socket a RUN step reaches an SSH agent through, as BuildKit forwards one: a fresh listening socket of its own
/// (so the step's <c>uid</c>/<c>gid</c>/<c>mode</c> never touch the caller's agent socket), each connection piped to
/// the agent for as long as the step runs.
/// </summary>
internal sealed class SshAgentProxy : IDisposable
{
    private readonly string _agent;
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    private SshAgentProxy(string agent, string socketPath, Socket listener)
    {
        _agent = agent;
        SocketPath = socketPath;
        _listener = listener;
        _accepting = AcceptAsync();
    }

    /// <summary>The socket to bind into the container.</summary>
    public string SocketPath { get; }

    /// <summary>Listens on a new socket in <paramref name="directory"/> owned and moded as the mount asks.</summary>
    public static SshAgentProxy Start(string agent, string directory, uint uid, uint gid, uint mode)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "agent.sock");
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(16);
            if (LibC.FchownAt(LibC.AT_FDCWD, path, uid, gid, LibC.AT_SYMLINK_NOFOLLOW) != 0 || LibC.FchmodAt(LibC.AT_FDCWD, path, mode, 0) != 0)
                throw LibC.Failure($"setting the owner and mode of the ssh socket {path}");
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        return new SshAgentProxy(agent, path, listener);
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = PipeAsync(client);
        }
    }

    private async Task PipeAsync(Socket client)
    {
        using (client)
        using (var agent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                await agent.ConnectAsync(new UnixDomainSocketEndPoint(_agent), _stop.Token);
                await using var inner = new NetworkStream(client, ownsSocket: false);
                await using var outer = new NetworkStream(agent, ownsSocket: false);
                // Either side closing ends the conversation (an agent request is one exchange at a time).
                await Task.WhenAny(inner.CopyToAsync(outer, _stop.Token), outer.CopyToAsync(inner, _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
            {
                // The step went away or the agent did: the connection just ends, as with a direct agent socket.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        try { _accepting.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException) { }
        _stop.Dispose();
        try { File.Delete(SocketPath); }
        catch (IOException) { }
    }
}
