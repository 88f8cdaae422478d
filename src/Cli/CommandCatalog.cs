using System.CommandLine;
using Ashlar.Cli.Commands;

namespace Ashlar.Cli;

/// <summary>Every subcommand of <c>ashlar</c>, one file each under Commands/.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return Commands.ParseCommand.Create();
        yield return PullCommand.Create();
        yield return PushCommand.Create();
        yield return LoginCommand.Create();
        yield return LogoutCommand.Create();
        yield return BuildCommand.Create();
        yield return Commands.ImagesCommand.Create();
        yield return Commands.TagCommand.Create();
        yield return Commands.RmiCommand.Create();
        yield return Commands.InspectCommand.Create();
        yield return Commands.HistoryCommand.Create();
        yield return Commands.SaveCommand.Create();
        yield return Commands.LoadCommand.Create();
        yield return Commands.ImportCommand.Create();
        yield return Commands.PruneCommand.Create();
        yield return Commands.DuCommand.Create();
        yield return Commands.CheckCommand.Create();
        yield return RunCommand.Create();
    }
}
