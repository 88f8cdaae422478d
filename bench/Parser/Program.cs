using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Ashlar.Parser.Benchmarks.ParserBenchmarks).Assembly).Run(args);
