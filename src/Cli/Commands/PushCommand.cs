using System.CommandLine;
using Ashlar.Images.References;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Transfer;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar push NAME[:TAG] [DESTINATION]</c>: uploads an image from the store, like <c>docker push</c>.</summary>
internal static class PushCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME[:TAG]") { Description = "The image to push, e.g. 127.0.0.1:5000/app:1 (its name says where it goes)" };
        var destination = new Argument<string?>("DESTINATION")
        {
            Description = "Push to this reference instead of NAME's own (so no 'tag' is needed first)", Arity = ArgumentArity.ZeroOrOne,
        };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "A registry host reached over plain HTTP (repeatable); loopback hosts always are" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the pushed digest" };
        var command = new Command("push", "Upload an image to a registry") { name, destination, insecure, quiet };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(name)!, parse.GetValue(destination), parse,
            parse.GetValue(insecure) ?? [], parse.GetValue(quiet), cancellationToken));
        return command;
    }

    static async Task<int> RunAsync(string name, string? destinationText, ParseResult parse, string[] insecure, bool quiet, CancellationToken cancellationToken)
    {
        try
        {
            var destination = ImageReference.Parse(destinationText ?? name);
            var store = StoreOptions.Open(parse);
            using var client = new RegistryClient(new RegistryClientOptions { InsecureRegistries = insecure });

            if (!quiet) Console.WriteLine($"The push refers to repository [{destination.Name}]");
            var progress = quiet ? null : new PullCommand.ConsoleProgress(state => state switch
            {
                TransferState.AlreadyExists => "Layer already exists",
                TransferState.Mounted => "Mounted from another repository",
                _ => "Pushed",
            });
            var result = await client.PushAsync(store, name, destination, progress, cancellationToken);

            Console.WriteLine(quiet ? result.Digest.ToString() : $"{destination.Tag ?? "(digest)"}: digest: {result.Digest} size: {result.Size}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is RegistryException || StoreCommandAction.IsUserFacing(e))
        {
            Console.Error.WriteLine($"ashlar: {e.Message}");
            return ExitCodes.Failed;
        }
    }
}
