using System.CommandLine;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Auth;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar logout [SERVER]</c>: removes a registry's credentials from docker's config.json and its credential helper.</summary>
internal static class LogoutCommand
{
    public static Command Create()
    {
        var server = new Argument<string?>("SERVER") { Description = "The registry host (default: docker.io)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("logout", "Log out from a registry") { server };
        command.SetAction(parse =>
        {
            var host = LoginCommand.Host(parse.GetValue(server));
            try
            {
                var config = DockerConfig.Default();
                Console.WriteLine(config.Remove(host)
                    ? $"Removing login credentials for {host}"
                    : $"Not logged in to {host}");
                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is RegistryException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"ashlar: {e.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
