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
    }
}
