using System.CommandLine;
using Ashlar.Images.Content;
using Ashlar.Images.Store;

namespace Ashlar.Cli;

/// <summary>
/// How every command finds the image store: <c>--root DIR</c>, else <c>$ASHLAR_ROOT</c>, else /var/lib/ashlar (root)
/// or $XDG_DATA_HOME/ashlar. <see cref="Root"/> sits on the root command (Program.cs) and is recursive, so every
/// command accepts it before or after its name; commands call <see cref="Open"/> in their action.
/// </summary>
internal static class StoreOptions
{
    /// <summary>The global <c>--root</c> option.</summary>
    public static Option<string?> Root { get; } = new("--root")
    {
        Description = $"Directory of the image store (default: ${StoreLocation.EnvironmentVariable}, /var/lib/ashlar for root, $XDG_DATA_HOME/ashlar otherwise)",
        HelpName = "DIR",
        Recursive = true,
    };

    /// <summary>
    /// Kept for commands written against the first version of this class: <c>--root</c> is already global (recursive
    /// on the root command), so this adds nothing; adding the option again would list it twice in help.
    /// </summary>
    public static Command AddTo(Command command) => command;

    /// <summary>Opens the store the command line points at.</summary>
    public static ImageStore Open(ParseResult parseResult) => ImageStore.Open(StoreLocation.Resolve(parseResult.GetValue(Root)));
}
