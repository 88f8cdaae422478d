using Ashlar.Parser.Shell;
using BenchmarkDotNet.Attributes;

namespace Ashlar.Parser.Benchmarks;

/// <summary>Target: a 1,000-instruction Dockerfile parses in under 5 ms warm.</summary>
[MemoryDiagnoser]
public class ParserBenchmarks
{
    private readonly string _dockerfile = SampleDockerfile.Create(1000);
    private readonly ShellLexer _lexer = new();
    private readonly Dictionary<string, string> _env = new() { ["HOME"] = "/root", ["PATH"] = "/usr/bin:/bin" };

    [GlobalSetup]
    public void Check()
    {
        var parsed = DockerfileParser.Parse(_dockerfile);
        var instructions = parsed.GlobalArgs.Count + parsed.Stages.Sum(s => 1 + s.Instructions.Count);
        if (instructions != 1000)
            throw new InvalidOperationException($"sample has {instructions} instructions, expected 1000");
    }

    [Benchmark(Description = "Parse (typed, stages) 1000 instructions")]
    public Dockerfile ParseTyped() => DockerfileParser.Parse(_dockerfile);

    [Benchmark(Description = "ParseSyntax (raw AST) 1000 instructions")]
    public Syntax.SyntaxTree ParseRaw() => DockerfileParser.ParseSyntax(_dockerfile);

    [Benchmark(Description = "ShellLexer.ProcessWords")]
    public IReadOnlyList<string> Words() => _lexer.ProcessWords("\"$HOME/bin\":${PATH:-/bin} ${HOME%/*} 'lit eral'", _env);
}
