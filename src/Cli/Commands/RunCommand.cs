using System.CommandLine;
using System.CommandLine.Parsing;
using System.Security.Cryptography;
using Ashlar.Executor.Containers;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar run [OPTIONS] IMAGE [COMMAND] [ARG...]</c>: what <c>docker run --rm</c> does, with Ashlar's executor. One
/// ephemeral container on a fresh snapshot of the image; stdout/stderr (and stdin with -i) pass through, and the
/// command's exit code becomes ashlar's (125 when the container cannot be made, 126/127 when the command cannot run).
/// </summary>
internal static class RunCommand
{
    private const int ContainerFailed = 125, CannotExecute = 126, NotFound = 127;

    public static Command Create()
    {
        var image = new Argument<string>("IMAGE") { Description = "An image name or ID from the store" };
        var commandArgs = new Argument<string[]>("COMMAND") { Arity = ArgumentArity.ZeroOrMore, Description = "The command and its arguments (default: the image's ENTRYPOINT and CMD)" };
        var env = new Option<string[]>("--env", "-e") { Description = "Set an environment variable (KEY=VALUE, or KEY to copy it from here)", HelpName = "KEY=VALUE" };
        var user = new Option<string?>("--user", "-u") { Description = "Username or UID, with an optional group (name|uid[:group|gid])" };
        var workdir = new Option<string?>("--workdir", "-w") { Description = "Working directory in the container" };
        var network = new Option<string>("--network") { Description = "Network: host (default) or none", DefaultValueFactory = _ => "host" };
        var memory = new Option<string?>("--memory", "-m") { Description = "Memory limit (e.g. 512m, 1g)" };
        var memorySwap = new Option<string?>("--memory-swap") { Description = "Memory plus swap limit; -1 for unlimited swap" };
        // Every option is a string: after IMAGE the same flags belong to the command (sh -c ...), so they must never fail to parse.
        var cpuShares = new Option<string?>("--cpu-shares", "-c") { Description = "CPU shares (relative weight)" };
        var cpusetCpus = new Option<string?>("--cpuset-cpus") { Description = "CPUs in which to allow execution (0-3, 0,1)" };
        var pidsLimit = new Option<string?>("--pids-limit") { Description = "Limit the number of processes" };
        var hostname = new Option<string?>("--hostname") { Description = "Container hostname" };
        var interactive = new Option<bool>("--interactive", "-i") { Description = "Pass stdin to the command" };
        var command = new Command("run", "Run a command in a new container (removed when it exits)")
        {
            image, commandArgs, env, user, workdir, network, memory, memorySwap, cpuShares, cpusetCpus, pidsLimit, hostname, interactive,
        };
        // Everything after IMAGE belongs to the command, flags included (as with docker run).
        command.TreatUnmatchedTokensAsErrors = false;
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var (imageIndex, args) = CommandAfterImage(parseResult, image);
            T? Before<T>(Option<T> option) => IsBefore(parseResult, option, imageIndex) ? parseResult.GetValue(option) : default;

            var networkMode = (Before(network) ?? "host") switch
            {
                "host" or "default" => NetworkMode.Host,
                "none" => NetworkMode.None,
                var other => throw new FormatException($"--network {other}: only host and none are supported"),
            };
            var limits = new ResourceLimits
            {
                MemoryBytes = Before(memory) is { } m ? ParseBytes(m, "--memory") : null,
                MemorySwapBytes = Before(memorySwap) is { } s ? (s == "-1" ? -1 : ParseBytes(s, "--memory-swap")) : null,
                CpuShares = Before(cpuShares) is { } shares ? ParseNumber(shares, "--cpu-shares") : null,
                CpusetCpus = Before(cpusetCpus),
                PidsLimit = Before(pidsLimit) is { } pids ? ParseNumber(pids, "--pids-limit") : null,
            };

            var store = StoreOptions.Open(parseResult);
            var stored = await store.LoadImageAsync(parseResult.GetValue(image)!, cancellationToken: cancellationToken);
            var config = stored.Config.Config;
            var argv = (config?.Entrypoint ?? []).Concat(args.Count > 0 ? args : config?.Cmd ?? []).ToList();
            if (argv.Count == 0)
            {
                Console.Error.WriteLine($"ashlar: no command specified, and image {parseResult.GetValue(image)} has no ENTRYPOINT or CMD");
                return ContainerFailed;
            }

            var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
            var host = Before(hostname) ?? id;
            var environment = MergeEnvironment(config?.Env ?? [], ValuesBefore(parseResult, env, imageIndex));
            environment.Insert(0, $"HOSTNAME={host}");

            var key = $"run-{id}";
            // Taken before the unpack: prune keeps the layers and the container's snapshot while we live.
            using var lease = StoreLease.Acquire(store.Root, key);
            // An image built from a remote cache may still have its layers there (lazy): they are fetched now.
            await store.Lazy.EnsureImageAsync(stored, parseResult.GetValue(image), cancellationToken: cancellationToken);
            var snapshots = ImageSnapshots.Open(store);
            var parent = await ImageSnapshots.UnpackAsync(snapshots, store, stored, cancellationToken);
            var mounts = snapshots.Prepare(key, parent);
            try
            {
                var stdout = Console.Out;
                var stderr = Console.Error;
                var result = await Container.RunAsync(new ContainerSpec
                {
                    Rootfs = mounts,
                    Args = argv,
                    Env = environment,
                    WorkingDirectory = Before(workdir) ?? (string.IsNullOrEmpty(config?.WorkingDir) ? "/" : config.WorkingDir),
                    User = Before(user) ?? config?.User ?? "",
                    Hostname = host,
                    Network = networkMode,
                    Limits = limits,
                    StandardOutput = line => { lock (stdout) stdout.WriteLine(line); },
                    StandardError = line => { lock (stderr) stderr.WriteLine(line); },
                    StandardInput = Before(interactive) ? Console.OpenStandardInput() : null,
                }, cancellationToken);
                if (result.OomKilled)
                    Console.Error.WriteLine($"ashlar: the container was {result}");
                return result.ExitCode;
            }
            catch (ContainerStartException e)
            {
                Console.Error.WriteLine($"ashlar: {e.Message}");
                return e.Step == "exec" ? (e.Errno == 2 ? NotFound : CannotExecute) : ContainerFailed;
            }
            finally
            {
                snapshots.Remove(key);
            }
        });
        return command;
    }

    /// <summary>Where IMAGE is among the tokens, and every token after it verbatim (a leading "--" dropped).</summary>
    private static (int ImageIndex, List<string> Args) CommandAfterImage(ParseResult parseResult, Argument<string> image)
    {
        var tokens = parseResult.Tokens;
        var imageToken = parseResult.GetResult(image)?.Tokens.FirstOrDefault();
        var index = -1;
        for (var i = 0; i < tokens.Count; i++)
            if (ReferenceEquals(tokens[i], imageToken)) { index = i; break; }
        var args = tokens.Skip(index + 1).Select(t => t.Value).ToList();
        if (args is ["--", ..]) args.RemoveAt(0);
        return (index, args);
    }

    /// <summary>An option counts only when it was given before IMAGE; after it, it is the command's own flag.</summary>
    private static bool IsBefore(ParseResult parseResult, Option option, int imageIndex) =>
        parseResult.GetResult(option) is { IdentifierToken: { } identifier } && IndexOf(parseResult, identifier) < imageIndex;

    private static List<string> ValuesBefore(ParseResult parseResult, Option<string[]> option, int imageIndex) =>
        parseResult.GetResult(option)?.Tokens.Where(t => IndexOf(parseResult, t) < imageIndex).Select(t => t.Value).ToList() ?? [];

    private static int IndexOf(ParseResult parseResult, Token token)
    {
        for (var i = 0; i < parseResult.Tokens.Count; i++)
            if (ReferenceEquals(parseResult.Tokens[i], token)) return i;
        return int.MaxValue;
    }

    /// <summary>The image's environment with -e values over it; "-e KEY" copies KEY from this process (docker's rule).</summary>
    private static List<string> MergeEnvironment(IReadOnlyList<string> image, List<string> given)
    {
        var merged = image.ToList();
        foreach (var entry in given)
        {
            var pair = entry.Contains('=') ? entry : Environment.GetEnvironmentVariable(entry) is { } value ? $"{entry}={value}" : null;
            if (pair is null) continue;
            var key = pair[..(pair.IndexOf('=') + 1)];
            merged.RemoveAll(e => e.StartsWith(key, StringComparison.Ordinal));
            merged.Add(pair);
        }
        return merged;
    }

    private static long ParseNumber(string text, string flag) =>
        long.TryParse(text, out var number) ? number : throw new FormatException($"{flag} {text}: expected a whole number");

    /// <summary>docker's size syntax: a number with an optional b, k, m or g suffix.</summary>
    internal static long ParseBytes(string text, string flag)
    {
        var value = text.Trim().ToLowerInvariant();
        long unit = 1;
        if (value.Length > 0 && char.IsLetter(value[^1]))
        {
            unit = value[^1] switch
            {
                'b' => 1, 'k' => 1L << 10, 'm' => 1L << 20, 'g' => 1L << 30,
                _ => throw new FormatException($"{flag} {text}: the unit must be b, k, m or g"),
            };
            value = value[..^1];
        }
        return long.TryParse(value, out var number) && number > 0
            ? number * unit
            : throw new FormatException($"{flag} {text}: expected a positive size such as 512m");
    }
}
