using System.CommandLine;
using Ashlar.Cli;
using Ashlar.Executor.Init;

// The NativeAOT ashlar binary is also every container's PID 1 (the executor starts it with this argument).
if (args is [ContainerInit.Argument, ..]) return ContainerInit.Run();

// Exit codes follow docker build: 0 ok, 1 the operation failed, 2 the command line was wrong.
var root = new RootCommand("Ashlar: a daemonless Dockerfile build engine");
root.Options.Add(StoreOptions.Root); // global: ashlar --root DIR <command>
foreach (var command in CommandCatalog.All())
    root.Subcommands.Add(command);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
        Console.Error.WriteLine($"ashlar: {error.Message}");
    Console.Error.WriteLine("Run 'ashlar --help' for usage.");
    return ExitCodes.Usage;
}
return await parsed.InvokeAsync();
