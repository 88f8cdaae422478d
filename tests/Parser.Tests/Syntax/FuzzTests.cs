using Ashlar.Parser.Ignore;
using Ashlar.Parser.Shell;
using Ashlar.Parser.Tests.Conformance;
using CsCheck;

namespace Ashlar.Parser.Tests.Syntax;

/// <summary>Whatever the bytes, the parser either succeeds or raises ParseError (never another exception, never a crash).</summary>
public sealed class FuzzTests
{
    // Characters that mean something to some layer, plus white space and non-ASCII oddities.
    private const string Alphabet =
        "FROMRUNCOPYADDENVARGLABELONBUILDHEALTHCHECKSHELLfromrun \t\n\n\n\r\\`\"'$[]{}=#-<>:,/.*?!%+@0123456789abcEOF\u00e9\u00a0\u2028\uFEFF\0";

    private static readonly Dictionary<string, string> Env = new() { ["A"] = "a b", ["EMPTY"] = "" };

    private static void OnlyParseErrors(string text)
    {
        Expect(() => DockerfileParser.ParseSyntax(text));
        Expect(() => DockerfileParser.Parse(text));
        Expect(() => new ShellLexer('\\').ProcessWords(text, Env));
        Expect(() => new ShellLexer('`') { SkipUnsetEnv = true }.ProcessWord(text, Env));
    }

    // Compiling a pattern costs far more than parsing a Dockerfile line, so the ignore files get their own, smaller run.
    private static void OnlyParseErrorsFromIgnoreFiles(string text) =>
        Expect(() =>
        {
            var ignore = DockerIgnore.Parse(text);
            ignore.IsExcluded(text.Replace('\n', '/'));
            return ignore.CanSkipDirectory("a");
        });

    private static void Expect<T>(Func<T> parse)
    {
        try
        {
            parse();
        }
        catch (ParseError error)
        {
            Assert.DoesNotContain("internal parser error", error.Message);
        }
    }

    [Fact]
    public void Random_text_raises_only_ParseError()
    {
        Gen.String[Gen.Char[Alphabet], 0, 400].Sample(OnlyParseErrors, iter: 3000);
    }

    [Fact]
    public void Random_ignore_files_raise_only_ParseError()
    {
        Gen.String[Gen.Char["ab/*?[]!\\#.\n -^$(){}|+d"], 0, 60].Sample(OnlyParseErrorsFromIgnoreFiles, iter: 400);
    }

    [Fact]
    public void Random_instructions_raise_only_ParseError()
    {
        var keyword = Gen.OneOf("FROM", "RUN", "COPY", "ADD", "ENV", "ARG", "LABEL", "ONBUILD", "HEALTHCHECK", "CMD", "SHELL", "EXPOSE", "VOLUME", "USER", "WORKDIR");
        var flag = Gen.OneOf("--mount=", "--from=", "--chown=", "--link", "--network=", "--interval=", "--platform=", "--exclude=", "--", "--mount=type=cache,target=");
        var word = Gen.String[Gen.Char[Alphabet], 0, 12];
        var line = Gen.Select(keyword, flag.Array[0, 3], word.Array[0, 5],
            (k, f, w) => k + " " + string.Join(' ', f.Zip(w, (a, b) => a + b)) + " " + string.Join(' ', w));
        line.Array[1, 12].Select(lines => "FROM alpine\n" + string.Join('\n', lines)).Sample(OnlyParseErrors, iter: 2000);
    }

    [Fact]
    public void Mutated_conformance_files_raise_only_ParseError()
    {
        var seeds = Directory.GetDirectories(ConformanceData.ParserCases)
            .Concat(Directory.GetDirectories(ConformanceData.NegativeCases))
            .Select(dir => ConformanceData.Read(Path.Combine(dir, "Dockerfile")))
            .Append("FROM a\nRUN <<EOF <<-'B'\nx\nEOF\n\tB\nCOPY <<X /y\nX\n")
            .ToArray();
        Assert.True(seeds.Length >= 37);

        var mutation = Gen.Int[0, seeds.Length - 1].SelectMany(index =>
        {
            var seed = seeds[index];
            var position = Gen.Int[0, seed.Length];
            var insert = Gen.String[Gen.Char[Alphabet], 1, 8];
            return Gen.Int[0, 3].SelectMany(kind => kind switch
            {
                0 => Gen.Select(position, insert, (at, text) => seed.Insert(at, text)),
                1 => Gen.Select(position, Gen.Int[0, 20], (at, length) => seed.Remove(at, Math.Min(length, seed.Length - at))),
                2 => Gen.Select(position, position, (a, b) => seed[..Math.Min(a, b)] + seed[Math.Max(a, b)..] + seed[Math.Min(a, b)..Math.Max(a, b)]),
                _ => Gen.Select(position, Gen.Char[Alphabet], (at, c) => at < seed.Length ? seed.Remove(at, 1).Insert(at, c.ToString()) : seed + c),
            });
        });
        mutation.Sample(OnlyParseErrors, iter: 3000);
    }
}
