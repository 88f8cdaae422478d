using System.CommandLine;
using System.Text;
using Ashlar.Images.Registry;
using Ashlar.Images.Registry.Auth;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar login [SERVER]</c>: checks credentials against a registry and stores them where <c>docker</c> finds them
/// too: the configured credential helper (<c>credsStore</c>/<c>credHelpers</c>), else config.json's <c>auths</c> (mode 0600).
/// </summary>
internal static class LoginCommand
{
    public static Command Create()
    {
        var server = new Argument<string?>("SERVER") { Description = "The registry host, e.g. ghcr.io or 127.0.0.1:5000 (default: docker.io)", Arity = ArgumentArity.ZeroOrOne };
        var username = new Option<string?>("--username", "-u") { Description = "The user name" };
        var password = new Option<string?>("--password", "-p") { Description = "The password or token (prefer --password-stdin)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input" };
        var insecure = new Option<string[]>("--insecure-registry") { Description = "A registry host reached over plain HTTP (repeatable); loopback hosts always are" };
        var command = new Command("login", "Log in to a registry") { server, username, password, passwordStdin, insecure };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(server), parse.GetValue(username), parse.GetValue(password),
            parse.GetValue(passwordStdin), parse.GetValue(insecure) ?? [], cancellationToken));
        return command;
    }

    static async Task<int> RunAsync(string? serverText, string? username, string? password, bool passwordStdin, string[] insecure, CancellationToken cancellationToken)
    {
        var host = Host(serverText);
        if (password is not null && passwordStdin)
        {
            Console.Error.WriteLine("ashlar: --password and --password-stdin are mutually exclusive");
            return ExitCodes.Usage;
        }
        if (password is not null)
            Console.Error.WriteLine("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        try
        {
            username ??= Prompt("Username: ", echo: true);
            if (passwordStdin)
                password = (await Console.In.ReadToEndAsync(cancellationToken)).TrimEnd('\n', '\r');
            password ??= Prompt("Password: ", echo: false);
            if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            {
                Console.Error.WriteLine("ashlar: a user name and a password are required (-u USER, and --password-stdin or a terminal to type it)");
                return ExitCodes.Usage;
            }

            var credentials = new RegistryCredentials(username, password);
            using var client = new RegistryClient(new RegistryClientOptions { Credentials = null, InsecureRegistries = insecure });
            await client.LoginAsync(host, credentials, cancellationToken);
            var config = DockerConfig.Default();
            Console.WriteLine($"Credentials saved in {config.Save(host, credentials)}");
            Console.WriteLine("Login Succeeded");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is RegistryException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"ashlar: {e.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>docker accepts <c>https://host/</c> as well as <c>host</c>; the registry host is what is stored.</summary>
    internal static string Host(string? server)
    {
        if (string.IsNullOrWhiteSpace(server)) return "docker.io";
        var host = server.Trim();
        var scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) host = host[(scheme + 3)..];
        var slash = host.IndexOf('/');
        if (slash >= 0) host = host[..slash];
        return host is "index.docker.io" or "registry-1.docker.io" ? "docker.io" : host;
    }

    static string? Prompt(string label, bool echo)
    {
        if (Console.IsInputRedirected) return null;
        Console.Write(label);
        if (echo) return Console.ReadLine();
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (typed.Length > 0) typed.Length--; }
            else typed.Append(key.KeyChar);
        }
        Console.WriteLine();
        return typed.ToString();
    }
}
