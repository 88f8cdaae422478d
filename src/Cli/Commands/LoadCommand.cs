using System.CommandLine;
using Ashlar.Images.Archives;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar load [-i FILE]</c>: images from a docker-archive or OCI archive (plain or compressed), or STDIN.</summary>
internal static class LoadCommand
{
    public static Command Create()
    {
        var input = new Option<string?>("--input", "-i") { Description = "Read from tar archive file, instead of STDIN", HelpName = "FILE" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress the load output" };
        var command = new Command("load", "Load images from a tar archive or STDIN") { input, quiet };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var path = parseResult.GetValue(input);
            if (path is null && !Console.IsInputRedirected)
            {
                Console.Error.WriteLine("ashlar: requested load from stdin, but stdin is empty; use -i FILE or redirect");
                return ExitCodes.Failed;
            }
            await using var stream = path is null
                ? Console.OpenStandardInput()
                : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var loaded = await ImageArchiveReader.LoadAsync(store, stream, path ?? "stdin", cancellationToken);
            if (!parseResult.GetValue(quiet))
                foreach (var image in loaded) Console.Out.WriteLine(image);
            return ExitCodes.Ok;
        });
        return command;
    }
}
