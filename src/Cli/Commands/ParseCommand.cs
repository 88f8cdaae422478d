using System.CommandLine;
using Ashlar.Parser;
using Ashlar.Parser.Json;

namespace Ashlar.Cli.Commands;

/// <summary><c>ashlar parse [-f Dockerfile] [--json | --dump]</c>: prints the parsed Dockerfile.</summary>
internal static class ParseCommand
{
    public static Command Create()
    {
        var file = new Option<string>("--file", "-f")
        {
            Description = "The Dockerfile to parse",
            DefaultValueFactory = _ => "Dockerfile",
        };
        var json = new Option<bool>("--json") { Description = "Print the typed AST as JSON (the default)" };
        var dump = new Option<bool>("--dump") { Description = "Print the raw syntax tree in BuildKit's dump format" };
        var command = new Command("parse", "Parse a Dockerfile and print its syntax tree") { file, json, dump };
        command.Validators.Add(result =>
        {
            if (result.GetValue(json) && result.GetValue(dump))
                result.AddError("--json and --dump cannot be used together");
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(file)!;
            string text;
            try
            {
                text = await File.ReadAllTextAsync(path, cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"ashlar: cannot read {path}: {e.Message}");
                return ExitCodes.Failed;
            }
            try
            {
                if (result.GetValue(dump))
                    Console.Out.Write(DockerfileParser.ParseSyntax(text, path).Dump());
                else
                    Console.Out.WriteLine(DockerfileJson.Serialize(DockerfileParser.Parse(text, path)));
                return ExitCodes.Ok;
            }
            catch (ParseError error)
            {
                Console.Error.WriteLine($"ashlar: {error.Message}");
                return ExitCodes.Failed;
            }
        });
        return command;
    }
}
