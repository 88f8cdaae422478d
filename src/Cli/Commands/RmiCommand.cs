using System.CommandLine;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar rmi [-f] IMAGE...</c>: untag and delete images as docker rmi does. Blobs go with <c>ashlar prune</c>.</summary>
internal static class RmiCommand
{
    public static Command Create()
    {
        var images = new Argument<string[]>("IMAGE") { Arity = ArgumentArity.OneOrMore, Description = "Image names or IDs" };
        var force = new Option<bool>("--force", "-f") { Description = "Remove the image even when it is referenced in several repositories" };
        var command = new Command("rmi", "Remove one or more images") { images, force };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var status = ExitCodes.Ok;
            // Like docker: each image on its own; one failure does not stop the others.
            foreach (var image in parseResult.GetValue(images)!)
            {
                try
                {
                    foreach (var removal in await store.RemoveAsync(image, parseResult.GetValue(force), cancellationToken))
                        Console.Out.WriteLine(removal);
                }
                catch (Exception e) when (StoreCommandAction.IsUserFacing(e))
                {
                    Console.Error.WriteLine($"ashlar: {e.Message}");
                    status = ExitCodes.Failed;
                }
            }
            return status;
        });
        return command;
    }
}
