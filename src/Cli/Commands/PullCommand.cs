using System.CommandLine;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Formats;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Transfer;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar pull NAME[:TAG|@DIGEST]</c>: downloads an image into the store and unpacks its layers into snapshots, like
/// <c>docker pull</c>, so the first build or run on it mounts them instead of extracting first.
/// </summary>
internal static class PullCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME[:TAG|@DIGEST]") { Description = "The image, e.g. busybox, busybox:1.36 or 127.0.0.1:5000/app@sha256:..." };
        var platform = new Option<string?>("--platform") { Description = "The platform to pull from a multi-platform image (os/arch[/variant]); default: this machine's" };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "A registry host reached over plain HTTP (repeatable); loopback hosts always are" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the image reference" };
        var command = new Command("pull", "Download an image from a registry") { name, platform, insecure, quiet };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(name)!, parse.GetValue(platform), parse,
            parse.GetValue(insecure) ?? [], parse.GetValue(quiet), cancellationToken));
        return command;
    }

    static async Task<int> RunAsync(string name, string? platformText, ParseResult parse, string[] insecure, bool quiet, CancellationToken cancellationToken)
    {
        try
        {
            var reference = ImageReference.Parse(name);
            var platform = platformText is null ? null : Platform.Parse(platformText);
            var store = StoreOptions.Open(parse);
            var before = await store.ResolveAsync(reference, cancellationToken);
            // Prune keeps the blobs this pull writes until it has tagged them.
            using var lease = StoreLease.Acquire(store.Root, $"pull-{Environment.ProcessId}");
            using var client = new RegistryClient(new RegistryClientOptions { InsecureRegistries = insecure });

            if (!quiet) Console.WriteLine($"{(reference.Digest?.ToString() ?? reference.Tag)}: Pulling from {reference.FamiliarName}");
            var progress = quiet ? null : new ConsoleProgress(state => state switch
            {
                TransferState.AlreadyExists => "Already exists",
                _ => "Pull complete",
            });
            var result = await client.PullAsync(reference, store, platform, progress, cancellationToken);
            // Unpacking needs root (owners, whiteout devices): without it the first build or run unpacks, as before.
            if (Environment.IsPrivilegedProcess)
            {
                var pulled = await store.LoadImageAsync(reference.ToString(), platform, cancellationToken);
                await ImageSnapshots.UnpackAsync(ImageSnapshots.Open(store), store, pulled, cancellationToken);
            }

            if (!quiet)
            {
                Console.WriteLine($"Digest: {result.Digest}");
                Console.WriteLine(before?.Digest == result.Digest
                    ? $"Status: Image is up to date for {reference.Familiar}"
                    : $"Status: Downloaded newer image for {reference.Familiar}");
            }
            Console.WriteLine(reference.ToString());
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is RegistryException || StoreCommandAction.IsUserFacing(e))
        {
            Console.Error.WriteLine($"ashlar: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>One line per finished blob, as docker prints them: <c>a3ed95caeb02: Pull complete</c>.</summary>
    internal sealed class ConsoleProgress(Func<TransferState, string> describe) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value)
        {
            if (!value.IsConfig) Console.WriteLine($"{value.Digest.Short}: {describe(value.State)}");
        }
    }
}
