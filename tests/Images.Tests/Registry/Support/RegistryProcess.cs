using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Registry.Support;

/// <summary>
/// A real <c>docker-registry</c> (Debian's distribution 2.8) on a free loopback port, with its storage in a temp
/// directory; <paramref name="authYaml"/> adds an <c>auth:</c> section. Killed and cleaned up on dispose.
/// </summary>
internal sealed class RegistryProcess : IAsyncDisposable
{
    readonly Process process;
    readonly TempDirectory directory;
    readonly StringBuilder log = new();

    RegistryProcess(Process process, TempDirectory directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Host = $"127.0.0.1:{port}";
    }

    /// <summary><c>127.0.0.1:PORT</c>.</summary>
    public string Host { get; }

    /// <summary>Where the registry keeps its blobs (<c>docker/registry/v2/blobs/sha256/ab/abcd.../data</c>).</summary>
    public string StorageRoot => directory.Combine("storage");

    public static async Task<RegistryProcess> StartAsync(string? authYaml = null)
    {
        // A free port can be taken by a parallel test before the registry binds it; then start again on another.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await StartOnFreePortAsync(authYaml);
            }
            catch (InvalidOperationException e) when (attempt < 3 && e.Message.Contains("address already in use"))
            {
            }
        }
    }

    static async Task<RegistryProcess> StartOnFreePortAsync(string? authYaml)
    {
        var directory = new TempDirectory();
        var port = FreePort();
        Directory.CreateDirectory(directory.Combine("storage"));
        var config = $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {directory.Combine("storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            {authYaml ?? ""}
            """;
        var configPath = directory.Combine("config.yml");
        await File.WriteAllTextAsync(configPath, config);

        var start = new ProcessStartInfo("docker-registry", ["serve", configPath])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            directory.Dispose();
            throw new InvalidOperationException("docker-registry is not installed; run .ci/install-deps (Debian package docker-registry)", e);
        }
        var registry = new RegistryProcess(process, directory, port);
        process.OutputDataReceived += (_, e) => { lock (registry.log) registry.log.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (registry.log) registry.log.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await registry.WaitUntilServingAsync();
        return registry;
    }

    async Task WaitUntilServingAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) break;
            try
            {
                using var response = await http.GetAsync($"http://{Host}/v2/");
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        string output;
        lock (log) output = log.ToString();
        await DisposeAsync();
        throw new InvalidOperationException($"docker-registry did not start on {Host}:\n{output}");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
        process.Dispose();
        directory.Dispose();
    }
}
