using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Ashlar.Builder.Tests.FileOps.Support;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class AddUrlTests : IDisposable
{
    private static readonly byte[] Payload = "downloaded content\n"u8.ToArray();
    private static readonly DateTimeOffset LastModified = new(2019, 6, 7, 8, 9, 10, TimeSpan.Zero);
    private readonly FileOpsSandbox _box = new();
    private readonly HttpListener _server = new();
    private readonly string _base;
    private readonly CancellationTokenSource _stop = new();
    private readonly byte[] _tar;

    public AddUrlTests()
    {
        var port = FreePort();
        _base = $"http://127.0.0.1:{port}/";
        _server.Prefixes.Add(_base);
        _server.Start();
        var tar = new MemoryStream();
        using (var writer = new System.Formats.Tar.TarWriter(tar, leaveOpen: true))
            writer.WriteEntry(new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "inside.txt") { DataStream = new MemoryStream("in"u8.ToArray()) });
        _tar = tar.ToArray();
        _ = ServeAsync();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _server.GetContextAsync(); }
            catch (Exception) { return; }
            var path = context.Request.Url!.AbsolutePath;
            var body = path switch
            {
                "/files/tool.sh" or "/" => Payload,
                "/archive.tar" => _tar,
                _ => null,
            };
            if (body is null) context.Response.StatusCode = 404;
            else
            {
                if (path != "/") context.Response.Headers["Last-Modified"] = LastModified.ToString("R");
                await context.Response.OutputStream.WriteAsync(body);
            }
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _server.Close();
        _box.Dispose();
    }

    [Fact]
    public async Task A_url_lands_under_its_name_as_0600_root_with_last_modified_as_mtime()
    {
        await _box.CopyAsync(Add("/dl/", _base + "files/tool.sh"));

        var st = _box.Stat("/dl/tool.sh");
        Assert.Equal(("600", 0u, 0u, LastModified), (st.Octal, st.Uid, st.Gid, st.ModifiedTime));
        Assert.Equal("downloaded content\n", _box.Read("/dl/tool.sh"));
    }

    [Fact]
    public async Task Destination_without_slash_is_the_file_and_chmod_chown_apply()
    {
        await _box.CopyAsync(Add("/usr/bin/tool", _base + "files/tool.sh") with { Chmod = "755", Chown = "app" });

        var st = _box.Stat("/usr/bin/tool");
        Assert.Equal(("755", 1000u), (st.Octal, st.Uid));
    }

    [Fact]
    public async Task A_url_without_a_file_name_is_unnamed()
    {
        await _box.CopyAsync(Add("/u/", _base));

        Assert.True(File.Exists(_box.InRootfs("/u/__unnamed__")));
    }

    [Fact]
    public async Task Checksum_is_verified()
    {
        var good = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Payload));
        await _box.CopyAsync(Add("/ok", _base + "files/tool.sh") with { Checksum = good });
        Assert.True(File.Exists(_box.InRootfs("/ok")));

        var bad = "sha256:" + new string('0', 64);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => _box.CopyAsync(Add("/bad", _base + "files/tool.sh") with { Checksum = bad }));
        Assert.Contains("checksum mismatch", error.Message);
        Assert.Contains(good, error.Message);
        Assert.False(File.Exists(_box.InRootfs("/bad")));
    }

    [Fact]
    public async Task Remote_archives_are_not_extracted_unless_unpack()
    {
        await _box.CopyAsync(Add("/a/", _base + "archive.tar"));
        await _box.CopyAsync(Add("/b/", _base + "archive.tar") with { Unpack = true });

        Assert.True(File.Exists(_box.InRootfs("/a/archive.tar")));
        Assert.Equal("in", _box.Read("/b/inside.txt"));
    }

    [Fact]
    public async Task A_failed_download_names_the_url_and_status()
    {
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => _box.CopyAsync(Add("/x", _base + "missing")));
        Assert.Contains("404", error.Message);
        Assert.Contains(_base + "missing", error.Message);
    }

    [Fact]
    public async Task Copy_refuses_urls()
    {
        var error = await Assert.ThrowsAsync<FormatException>(() => _box.CopyAsync(Copy("/x", _base + "files/tool.sh")));
        Assert.Contains("can't be a URL for COPY", error.Message);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
