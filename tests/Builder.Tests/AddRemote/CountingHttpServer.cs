using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Ashlar.Builder.Tests.AddRemote;

/// <summary>An HTTP server on 127.0.0.1 serving fixed files and counting the requests for each path.</summary>
internal sealed class CountingHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.Ordinal);

    public CountingHttpServer()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            BaseUrl = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
        }
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _ = ServeAsync();
    }

    /// <summary><c>http://127.0.0.1:PORT/</c>.</summary>
    public string BaseUrl { get; }

    /// <summary>Serves <paramref name="content"/> at <paramref name="path"/> (no leading slash) from now on.</summary>
    public void Serve(string path, byte[] content) => _files["/" + path] = content;

    /// <summary>How many requests (of any method) reached <paramref name="path"/>.</summary>
    public int Requests(string path) => _requests.GetValueOrDefault("/" + path);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            var path = context.Request.Url!.AbsolutePath;
            _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            if (_files.TryGetValue(path, out var body))
                await context.Response.OutputStream.WriteAsync(body);
            else
                context.Response.StatusCode = 404;
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
