using System.Collections.Concurrent;
using System.Net;

namespace Ashlar.Images.Tests.Registry.Support;

/// <summary>
/// A tiny HTTP server on loopback that answers registry paths from a handler, for what a real registry will not
/// do on purpose: serve a wrong blob, fail with 503, drop a connection, send a malformed manifest.
/// </summary>
internal sealed class FakeRegistry : IDisposable
{
    readonly HttpListener listener = new();
    readonly Func<HttpListenerContext, int, Task> handle;
    readonly ConcurrentDictionary<string, int> hits = new();
    readonly Task loop;

    /// <param name="handle">Answers one request; gets how many times this path was asked for before (0 the first time).</param>
    public FakeRegistry(Func<HttpListenerContext, int, Task> handle)
    {
        this.handle = handle;
        // A free port can be taken by a parallel test before we bind it; take another then.
        for (var attempt = 0; ; attempt++)
        {
            Host = $"127.0.0.1:{RegistryProcess.FreePort()}";
            listener.Prefixes.Add($"http://{Host}/");
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Prefixes.Clear();
            }
        }
        loop = Task.Run(ServeAsync);
    }

    public string Host { get; private set; } = "";

    /// <summary>How many requests a path got.</summary>
    public int Hits(string path) => hits.GetValueOrDefault(path);

    async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                var path = context.Request.Url!.AbsolutePath;
                var before = hits.AddOrUpdate(path, 1, (_, n) => n + 1) - 1;
                try
                {
                    await handle(context, before);
                    context.Response.Close();
                }
                catch (Exception)
                {
                    try { context.Response.Abort(); } catch (ObjectDisposedException) { }
                }
            });
        }
    }

    public static async Task WriteAsync(HttpListenerContext context, byte[] body, string? contentType = null, HttpStatusCode status = HttpStatusCode.OK)
    {
        context.Response.StatusCode = (int)status;
        if (contentType is not null) context.Response.ContentType = contentType;
        context.Response.ContentLength64 = body.Length;
        if (context.Request.HttpMethod != "HEAD") await context.Response.OutputStream.WriteAsync(body);
    }

    public void Dispose()
    {
        // Close alone: Stop then Close makes the managed HttpListener look its port up a second time, re-binding it,
        // which fails when a parallel test has taken the freed port meanwhile.
        listener.Close();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
