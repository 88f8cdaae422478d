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

    private readonly ConcurrentDictionary<string, string> _etags = new(StringComparer.Ordinal);

    /// <summary>
    /// Serves <paramref name="content"/> at <paramref name="path"/> (no leading slash) from now on; with
    /// <paramref name="etag"/>, sends it as the ETag and answers a matching If-None-Match with 304.
    /// </summary>
    public void Serve(string path, byte[] content, string? etag = null)
    {
        _files["/" + path] = content;
        if (etag is null) _etags.TryRemove("/" + path, out _);
        else _etags["/" + path] = etag;
    }

    /// <summary>How many requests (of any method) reached <paramref name="path"/>.</summary>
    public int Requests(string path) => _requests.GetValueOrDefault("/" + path);

    /// <summary>How many GET requests reached <paramref name="path"/> (downloads, including 304 answers).</summary>
    public int Gets(string path) => _requests.GetValueOrDefault("GET /" + path);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            var path = context.Request.Url!.AbsolutePath;
            _requests.AddOrUpdate(path, 1, (_, n) => n + 1);
            _requests.AddOrUpdate(context.Request.HttpMethod + " " + path, 1, (_, n) => n + 1);
            if (!_files.TryGetValue(path, out var body))
                context.Response.StatusCode = 404;
            else if (_etags.TryGetValue(path, out var etag))
            {
                context.Response.Headers["ETag"] = etag;
                if (context.Request.Headers["If-None-Match"] == etag) context.Response.StatusCode = 304;
                else if (context.Request.HttpMethod == "GET") await context.Response.OutputStream.WriteAsync(body);
            }
            else if (context.Request.HttpMethod == "GET")
                await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
