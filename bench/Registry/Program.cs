using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Registry;

// Pushes and pulls a ~200 MB image (4 layers) to a registry on loopback with Ashlar and with `skopeo copy`, alternating,
// several rounds, and prints the medians and the Ashlar/skopeo ratios (target: within 1.1x each way).
// Registry: $ASHLAR_TEST_REGISTRY when set, else a docker-registry this program starts. Usage:
//   dotnet run -c Release --project bench/Registry -- [--size-mb 200] [--layers 4] [--rounds 3]
var sizeMb = Argument("--size-mb", 200);
var layerCount = Argument("--layers", 4);
var rounds = Argument("--rounds", 3);

var work = Path.Combine(Path.GetTempPath(), "ashlar-bench-registry-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
Process? registryProcess = null;
try
{
    var host = Environment.GetEnvironmentVariable("ASHLAR_TEST_REGISTRY");
    if (string.IsNullOrWhiteSpace(host)) (registryProcess, host) = await StartRegistryAsync(work);
    Console.WriteLine($"registry {host}; image {sizeMb} MB in {layerCount} layers; {rounds} rounds");

    using var client = new RegistryClient(new RegistryClientOptions { Credentials = null });
    var ashlarPush = new List<double>(); var skopeoPush = new List<double>();
    var ashlarPull = new List<double>(); var skopeoPull = new List<double>();
    long peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
    for (var round = 0; round < rounds; round++)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        // New random content every round: skopeo remembers where it has seen a blob (its blob-info cache) and
        // mounts it from there, which would time a mount instead of an upload.
        var layout = Path.Combine(work, $"layout-{id}");
        var source = new FileContentStore(Path.Combine(work, $"source-{id}"));
        var manifest = await CreateImageAsync(layout, source, sizeMb * 1024L * 1024 / layerCount, layerCount);
        // Alternate who goes first so neither always meets a warm registry page cache.
        var ashlarFirst = round % 2 == 0;
        for (var turn = 0; turn < 2; turn++)
        {
            if ((turn == 0) == ashlarFirst)
                ashlarPush.Add(await TimeAsync(() => client.PushAsync(source, manifest, host, $"bench/ashlar-{id}", "v1")));
            else
                skopeoPush.Add(await TimeAsync(() => SkopeoAsync("copy", "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{host}/bench/skopeo-{id}:v1")));
        }
        for (var turn = 0; turn < 2; turn++)
        {
            if ((turn == 0) == ashlarFirst)
            {
                var target = new FileContentStore(Path.Combine(work, $"pull-{id}"));
                ashlarPull.Add(await TimeAsync(() => client.PullAsync(host, $"bench/ashlar-{id}", "v1", target)));
                Directory.Delete(Path.Combine(work, $"pull-{id}"), recursive: true);
            }
            else
            {
                var target = Path.Combine(work, $"skopeo-pull-{id}");
                skopeoPull.Add(await TimeAsync(() => SkopeoAsync("copy", "--src-tls-verify=false", $"docker://{host}/bench/skopeo-{id}:v1", $"oci:{target}:v1")));
                Directory.Delete(target, recursive: true);
            }
        }
        Directory.Delete(layout, recursive: true);
        Directory.Delete(source.Root, recursive: true);
        Console.WriteLine($"round {round + 1}: push ashlar {ashlarPush[^1]:F2}s skopeo {skopeoPush[^1]:F2}s | pull ashlar {ashlarPull[^1]:F2}s skopeo {skopeoPull[^1]:F2}s");
    }

    Report("push", ashlarPush, skopeoPush, sizeMb);
    Report("pull", ashlarPull, skopeoPull, sizeMb);
    Console.WriteLine($"peak working set of this process: {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB (before transfers: {peakBefore / (1024 * 1024)} MB)");
}
finally
{
    if (registryProcess is { HasExited: false })
    {
        registryProcess.Kill();
        await registryProcess.WaitForExitAsync();
    }
    Directory.Delete(work, recursive: true);
}

static void Report(string what, List<double> ashlar, List<double> skopeo, int sizeMb)
{
    var a = Median(ashlar);
    var s = Median(skopeo);
    Console.WriteLine($"{what}: ashlar {a:F2}s ({sizeMb / a:F0} MB/s), skopeo {s:F2}s ({sizeMb / s:F0} MB/s), ratio ashlar/skopeo {a / s:F2}");
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static async Task<double> TimeAsync(Func<Task> action)
{
    var watch = Stopwatch.StartNew();
    await action();
    return watch.Elapsed.TotalSeconds;
}

static async Task SkopeoAsync(params string[] arguments)
{
    var start = new ProcessStartInfo("skopeo", ["--insecure-policy", .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
    using var process = Process.Start(start)!;
    var error = process.StandardError.ReadToEndAsync();
    await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (process.ExitCode != 0) throw new InvalidOperationException($"skopeo {string.Join(' ', arguments)} failed: {await error}");
}

// Random (incompressible) layer content, gzip-wrapped without compression so it is a valid tar+gzip media type quickly.
static async Task<Digest> CreateImageAsync(string layout, FileContentStore store, long layerSize, int layerCount)
{
    var blobs = Path.Combine(layout, "blobs", "sha256");
    Directory.CreateDirectory(blobs);
    var layers = new List<(Digest Digest, long Size, Digest DiffId)>();
    var chunk = new byte[1 << 20];
    for (var i = 0; i < layerCount; i++)
    {
        var temporary = Path.Combine(layout, "layer.tmp");
        using var diffHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = File.Create(temporary))
        await using (var gzip = new GZipStream(file, CompressionLevel.NoCompression))
        {
            for (long written = 0; written < layerSize; written += chunk.Length)
            {
                Random.Shared.NextBytes(chunk);
                diffHash.AppendData(chunk);
                await gzip.WriteAsync(chunk);
            }
        }
        Digest digest;
        long size;
        await using (var read = File.OpenRead(temporary)) (digest, size) = await store.WriteAsync(read);
        File.Move(temporary, Path.Combine(blobs, digest.Hex));
        layers.Add((digest, size, Digest.FromHash(diffHash.GetHashAndReset())));
    }
    var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" +
        string.Join(",", layers.Select(l => $"\"{l.DiffId}\"")) + "]}}");
    var manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":" +
        Descriptor("application/vnd.oci.image.config.v1+json", Digest.Sha256(config), config.Length) + ",\"layers\":[" +
        string.Join(",", layers.Select(l => Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", l.Digest, l.Size))) + "]}");
    foreach (var bytes in new[] { config, manifest })
    {
        await File.WriteAllBytesAsync(Path.Combine(blobs, Digest.Sha256(bytes).Hex), bytes);
        await store.WriteAsync(new MemoryStream(bytes));
    }
    var manifestDigest = Digest.Sha256(manifest);
    await File.WriteAllTextAsync(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    await File.WriteAllTextAsync(Path.Combine(layout, "index.json"), "{\"schemaVersion\":2,\"manifests\":[" +
        Descriptor("application/vnd.oci.image.manifest.v1+json", manifestDigest, manifest.Length)[..^1] +
        ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}]}");
    return manifestDigest;
}

static string Descriptor(string mediaType, Digest digest, long size) => $"{{\"mediaType\":\"{mediaType}\",\"digest\":\"{digest}\",\"size\":{size}}}";

static async Task<(Process, string)> StartRegistryAsync(string work)
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    var config = Path.Combine(work, "registry.yml");
    await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {Path.Combine(work, "registry")}\nhttp:\n  addr: 127.0.0.1:{port}\n");
    var process = Process.Start(new ProcessStartInfo("docker-registry", ["serve", config]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    using var http = new HttpClient();
    for (var i = 0; i < 100; i++)
    {
        try { (await http.GetAsync($"http://127.0.0.1:{port}/v2/")).Dispose(); return (process, $"127.0.0.1:{port}"); }
        catch (HttpRequestException) { await Task.Delay(100); }
    }
    throw new InvalidOperationException("docker-registry did not start");
}

int Argument(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], out var value) ? value : fallback;
}
