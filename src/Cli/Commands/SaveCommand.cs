using System.CommandLine;
using Ashlar.Images.Archives;
using Ashlar.Images.Formats;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar save [-o FILE] [--format docker|oci] IMAGE...</c>: a docker-archive (default) or an OCI archive.</summary>
internal static class SaveCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore, Description = "Image names or IDs" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to a file, instead of STDOUT", HelpName = "FILE" };
        var format = new Option<string>("--format") { Description = "docker (docker load) or oci (OCI layout tar)", DefaultValueFactory = _ => "docker" };
        format.AcceptOnlyFromAmong("docker", "oci");
        var platform = new Option<string?>("--platform") { Description = "For a multi-platform image, which platform (os/arch[/variant])" };
        var command = new Command("save", "Save one or more images to a tar archive (streamed to STDOUT by default)") { images, output, format, platform };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var archiveFormat = parseResult.GetValue(format) == "oci" ? ImageArchiveFormat.Oci : ImageArchiveFormat.Docker;
            var wanted = parseResult.GetValue(platform) is { } p ? Platform.Parse(p) : null;
            var names = parseResult.GetValue(images)!;
            // An image built from a remote cache may still have its layers there (lazy): they are fetched first.
            foreach (var name in names)
                await store.Lazy.EnsureImageAsync(await store.LoadImageAsync(name, wanted, cancellationToken), name, cancellationToken: cancellationToken);
            if (parseResult.GetValue(output) is not { } path)
            {
                if (!Console.IsOutputRedirected)
                {
                    Console.Error.WriteLine("ashlar: cowardly refusing to save to a terminal. Use the -o flag or redirect");
                    return ExitCodes.Failed;
                }
                await using var stdout = Console.OpenStandardOutput();
                await ImageArchiveWriter.WriteAsync(store, names, stdout, archiveFormat, wanted, cancellationToken);
                return ExitCodes.Ok;
            }
            // Written next to the target and renamed, so a failed save leaves no half archive behind.
            var full = Path.GetFullPath(path);
            var temp = full + ".tmp-" + Environment.ProcessId;
            try
            {
                await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
                    await ImageArchiveWriter.WriteAsync(store, names, file, archiveFormat, wanted, cancellationToken);
                File.Move(temp, full, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }
            return ExitCodes.Ok;
        });
        return command;
    }
}
