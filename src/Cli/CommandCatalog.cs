using System.CommandLine;

namespace Ashlar.Cli;

/// <summary>Every subcommand of <c>ashlar</c>, one file each under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return Commands.ParseCommand.Create();
    }
}
