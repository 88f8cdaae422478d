using System.CommandLine;
using Ashlar.Images.References;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar tag SOURCE TARGET</c>: another name for an image.</summary>
internal static class TagCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("SOURCE_IMAGE[:TAG]") { Description = "An image name or ID" };
        var target = new Argument<string>("TARGET_IMAGE[:TAG]") { Description = "The new name" };
        var command = new Command("tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE") { source, target };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var reference = ImageReference.Parse(parseResult.GetValue(target)!);
            if (reference.Digest is not null)
                throw new InvalidReferenceException(reference.ToString(), "refusing to create a tag with a digest reference");
            var descriptor = await store.FindAsync(parseResult.GetValue(source)!, cancellationToken);
            await store.TagAsync(reference, descriptor, cancellationToken);
            return ExitCodes.Ok;
        });
        return command;
    }
}
