using System.Diagnostics;
using Ashlar.Parser;
using Ashlar.Parser.Benchmarks;
using BenchmarkDotNet.Running;

// `dotnet run -c Release` runs the BenchmarkDotNet suite (wall-clock).
// `dotnet run -c Release -- --cpu` prints the CPU time per parse instead: on a shared, overloaded machine the
// wall-clock figure mostly measures waiting for a core, the CPU time measures the parser.
if (args is ["--cpu"])
{
    var text = SampleDockerfile.Create(1000);
    foreach (var (name, parse) in new (string, Action)[]
    {
        ("Parse (typed, stages)", () => DockerfileParser.Parse(text)),
        ("ParseSyntax (raw AST)", () => DockerfileParser.ParseSyntax(text)),
    })
    {
        for (var i = 0; i < 200; i++)
            parse();
        const int iterations = 500;
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
            parse();
        clock.Stop();
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds / iterations;
        Console.WriteLine($"{name}, 1000 instructions: {cpu:F3} ms CPU, {clock.Elapsed.TotalMilliseconds / iterations:F3} ms wall");
    }
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ParserBenchmarks).Assembly).Run(args);
