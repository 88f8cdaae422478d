using System.CommandLine;
using Ashlar.Images.Archives;
using Ashlar.Images.Formats;
using Ashlar.Images.References;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar import FILE|- [REPOSITORY[:TAG]]</c>: a one-layer image from a rootfs tarball, like docker import.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file|-") { Description = "A rootfs tar (plain, gzip or zstd); - reads STDIN" };
        var name = new Argument<string?>("REPOSITORY[:TAG]") { Arity = ArgumentArity.ZeroOrOne, Description = "Name for the image" };
        var message = new Option<string?>("--message", "-m") { Description = "Set commit message for imported image" };
        var platform = new Option<string?>("--platform") { Description = "Set platform (os/arch[/variant]) of the image" };
        var command = new Command("import", "Import the contents from a tarball to create a filesystem image") { file, name, message, platform };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var reference = parseResult.GetValue(name) is { } n ? ImageReference.Parse(n) : null;
            var source = parseResult.GetValue(file)!;
            var options = new ImportOptions
            {
                Source = source,
                Message = parseResult.GetValue(message),
                Platform = parseResult.GetValue(platform) is { } p ? Platform.Parse(p) : null,
            };
            await using var stream = source == "-"
                ? Console.OpenStandardInput()
                : new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var image = await RootfsImporter.ImportAsync(store, stream, reference, options, cancellationToken);
            Console.Out.WriteLine(image.Id);
            return ExitCodes.Ok;
        });
        return command;
    }
}
