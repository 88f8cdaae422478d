using System.CommandLine;
using Ashlar.Images.Content;
using Ashlar.Images.Store;

namespace Ashlar.Cli;

/// <summary>
/// How every command finds the image store: <c>--root DIR</c>, else <c>$ASHLAR_ROOT</c>, else /var/lib/ashlar (root)
/// or $XDG_DATA_HOME/ashlar. Commands call <see cref="AddTo"/> and then <see cref="Open"/> in their action.
/// </summary>
internal static class StoreOptions
{
    /// <summary>The shared <c>--root</c> option (one instance; it may sit on many commands).</summary>
    public static Option<string?> Root { get; } = new("--root")
    {
        Description = $"Directory of the image store (default: ${StoreLocation.EnvironmentVariable}, /var/lib/ashlar for root, $XDG_DATA_HOME/ashlar otherwise)",
        HelpName = "DIR",
        Recursive = true,
    };

    /// <summary>Adds <c>--root</c> to a command.</summary>
    public static Command AddTo(Command command)
    {
        command.Options.Add(Root);
        return command;
    }

    /// <summary>Opens the store the command line points at.</summary>
    public static ImageStore Open(ParseResult parseResult) => ImageStore.Open(StoreLocation.Resolve(parseResult.GetValue(Root)));
}
