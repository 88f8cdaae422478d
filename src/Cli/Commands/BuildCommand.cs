using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ashlar.Builder;
using Ashlar.Cli.Progress;
using ImageBuilder = Ashlar.Builder.Builder;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar build [OPTIONS] CONTEXT</c>: docker build's flags, through the library API only.</summary>
internal static class BuildCommand
{
    public static Command Create()
    {
        var context = new Argument<string>("CONTEXT") { Description = "The build context directory" };
        var file = new Option<string?>("--file", "-f") { Description = "The Dockerfile (default: CONTEXT/Dockerfile); - reads it from standard input" };
        var tags = new Option<string[]>("--tag", "-t") { Description = "Name and optionally a tag (name:tag); repeatable" };
        var buildArgs = new Option<string[]>("--build-arg") { Description = "Set a build-time variable (NAME=VALUE, or NAME to take it from the environment); repeatable" };
        var target = new Option<string?>("--target") { Description = "The stage to build" };
        var noCache = new Option<bool>("--no-cache") { Description = "Do not use the cache" };
        var noCacheFilter = new Option<string[]>("--no-cache-filter") { Description = "Do not use the cache for these stages (comma-separated names or indexes; repeatable)" };
        var explainCache = new Option<bool>("--explain-cache") { Description = "After the build, list every step: cached, or why it ran" };
        var pull = new Option<bool>("--pull") { Description = "Fetch base images again even when the store has them" };
        var labels = new Option<string[]>("--label") { Description = "Add a label to the image (KEY=VALUE); repeatable" };
        var secrets = new Option<string[]>("--secret") { Description = "A secret for RUN --mount=type=secret: id=ID,src=FILE or id=ID,env=VAR; repeatable" };
        var ssh = new Option<string[]>("--ssh") { Description = "An SSH agent for RUN --mount=type=ssh: default (SSH_AUTH_SOCK) or ID=SOCKET; repeatable" };
        var network = new Option<string?>("--network") { Description = "Network of RUN steps: default, none or host" };
        var platform = new Option<string?>("--platform") { Description = "Target platform (os/arch[/variant]); only this machine's can run RUN" };
        var outputs = new Option<string[]>("--output", "-o") { Description = "Output: type=image|docker|oci|local|tar[,dest=PATH]; repeatable" };
        var push = new Option<bool>("--push") { Description = "Push the image to its registry (shorthand for the image output with push)" };
        var iidfile = new Option<string?>("--iidfile") { Description = "Write the image ID to this file" };
        var metadataFile = new Option<string?>("--metadata-file") { Description = "Write build metadata (digests, names) as JSON to this file" };
        var progress = new Option<string>("--progress")
        {
            Description = "Progress output: auto, plain, tty, rawjson or quiet (default: $BUILDKIT_PROGRESS, else auto)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("BUILDKIT_PROGRESS") ?? "auto",
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the image ID" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit of each RUN step (e.g. 512m)" };
        var jobs = new Option<int?>("--jobs") { Description = "How many stages may run at once (default: the core count)" };
        var secretKeyFile = new Option<string?>("--cache-secret-key-file")
        {
            Description = "A key file shared by a fleet's runners, so steps using secrets hit across them (default: $ASHLAR_CACHE_SECRET_KEY_FILE, else a per-store key)",
        };
        var allow = new Option<string[]>("--allow") { Description = "Grant an entitlement: security.insecure (for RUN --security=insecure) or network.host; comma-separated or repeatable" };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "A registry host reached over plain HTTP (repeatable); loopback hosts always are" };
        var command = new Command("build", "Build an image from a Dockerfile")
        {
            context, file, tags, buildArgs, target, noCache, noCacheFilter, explainCache, pull, labels, secrets, ssh, network, platform, outputs, push, iidfile,
            metadataFile, progress, quiet, memory, jobs, insecure, secretKeyFile, allow,
        };
        var cacheOptions = new CacheOptions();
        foreach (var option in cacheOptions.All) command.Options.Add(option);
        command.SetAction(async (parse, cancellationToken) =>
        {
            BuildRequest request;
            ProgressMode mode;
            SharedCache sharedCache;
            try
            {
                if (!ProgressChooser.TryParse(parse.GetValue(progress), out mode))
                    throw new FormatException($"invalid --progress \"{parse.GetValue(progress)}\": use auto, plain, tty, rawjson or quiet");
                request = new BuildRequest
                {
                    ContextDirectory = parse.GetValue(context)!,
                    DockerfilePath = parse.GetValue(file) is "-" ? null : parse.GetValue(file),
                    DockerfileText = parse.GetValue(file) is "-" ? Console.In.ReadToEnd() : null,
                    Tags = parse.GetValue(tags) ?? [],
                    BuildArgs = ParseBuildArgs(parse.GetValue(buildArgs) ?? []),
                    Target = parse.GetValue(target),
                    NoCache = parse.GetValue(noCache),
                    NoCacheFilter = (parse.GetValue(noCacheFilter) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                    ExplainCache = parse.GetValue(explainCache),
                    Pull = parse.GetValue(pull),
                    Labels = ParsePairs(parse.GetValue(labels) ?? [], "--label"),
                    Secrets = (parse.GetValue(secrets) ?? []).Select(BuildSecret.Parse).ToList(),
                    Ssh = (parse.GetValue(ssh) ?? []).Select(BuildSsh.Parse).ToList(),
                    Network = ParseNetwork(parse.GetValue(network)),
                    Platform = parse.GetValue(platform),
                    Outputs = (parse.GetValue(outputs) ?? []).Select(BuildOutput.Parse).ToList(),
                    Push = parse.GetValue(push),
                    MemoryBytes = parse.GetValue(memory) is { } m ? ParseSize(m) : null,
                    Jobs = parse.GetValue(jobs) is { } j and > 0 ? j : Environment.ProcessorCount,
                    StoreRoot = parse.GetValue(StoreOptions.Root),
                    InsecureRegistries = parse.GetValue(insecure) ?? [],
                    CacheSecretKeyFile = parse.GetValue(secretKeyFile),
                    Entitlements = ParseEntitlements(parse.GetValue(allow) ?? []),
                    SourceDateEpoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH") is { Length: > 0 } epoch
                        && long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
                        ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null,
                };
                sharedCache = cacheOptions.Parse(parse);
            }
            catch (FormatException e)
            {
                Console.Error.WriteLine($"ashlar: {e.Message}");
                return ExitCodes.Usage;
            }
            await using var view = ProgressChooser.Create(parse.GetValue(quiet) ? ProgressMode.Quiet : mode);
            using (sharedCache)
                return await RunAsync(request, view, parse.GetValue(iidfile), parse.GetValue(metadataFile), sharedCache, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(BuildRequest request, BuildProgress view, string? iidfile, string? metadataFile, SharedCache sharedCache, CancellationToken cancellationToken)
    {
        try
        {
            request = await sharedCache.OpenAsync(request, warning => Console.Error.WriteLine($"WARNING: {warning}"), cancellationToken);
            var result = await ImageBuilder.BuildAsync(request, view, cancellationToken);
            result = await sharedCache.ExportAsync(request, result, cancellationToken);
            if (iidfile is not null)
                await File.WriteAllTextAsync(iidfile, result.ConfigDigest, cancellationToken);
            if (metadataFile is not null)
                await File.WriteAllBytesAsync(metadataFile, MetadataJson(result), cancellationToken);
            await view.SucceededAsync(result);
            if (request.ExplainCache)
                BuildCacheReport.Write(Console.Error, result);
            return ExitCodes.Ok;
        }
        catch (BuildException e)
        {
            await view.FailedAsync(e);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException)
        {
            await view.CanceledAsync();
            return ExitCodes.Failed;
        }
    }

    private static Dictionary<string, string> ParseBuildArgs(string[] values)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            var name = equals < 0 ? value : value[..equals];
            if (name.Length == 0 || name.Any(char.IsWhiteSpace))
                throw new FormatException($"invalid --build-arg \"{value}\": expected NAME=VALUE");
            if (equals >= 0) args[name] = value[(equals + 1)..];
            // docker: a bare NAME takes the variable from the environment, and is skipped when it is not set.
            else if (Environment.GetEnvironmentVariable(name) is { } fromEnvironment) args[name] = fromEnvironment;
        }
        return args;
    }

    private static Dictionary<string, string> ParsePairs(string[] values, string flag)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=');
            if (equals == 0) throw new FormatException($"invalid {flag} \"{value}\": expected KEY=VALUE");
            if (equals < 0) pairs[value] = "";
            else pairs[value[..equals]] = value[(equals + 1)..];
        }
        return pairs;
    }

    private static List<string> ParseEntitlements(IEnumerable<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(e => e is "security.insecure" or "network.host" ? e
                : throw new FormatException($"invalid --allow \"{e}\": use security.insecure or network.host"))
            .Distinct().ToList();

    private static BuildNetwork ParseNetwork(string? value) => value?.ToLowerInvariant() switch
    {
        null or "default" => BuildNetwork.Default,
        "none" => BuildNetwork.None,
        "host" => BuildNetwork.Host,
        _ => throw new FormatException($"invalid --network \"{value}\": use default, none or host"),
    };

    // docker's RAMInBytes: 512m, 1g, 1048576.
    private static long ParseSize(string value)
    {
        var text = value.Trim().ToLowerInvariant().TrimEnd('b');
        long multiplier = 1;
        if (text.Length > 0 && "kmgt".Contains(text[^1]))
        {
            multiplier = text[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30, _ => 1L << 40 };
            text = text[..^1];
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            throw new FormatException($"invalid --memory \"{value}\": use a size like 512m");
        return number * multiplier;
    }

    private static byte[] MetadataJson(BuildResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in result.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal))
                writer.WriteString(key, value);
            BuildCacheReport.WriteJson(writer, result);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
