using System.Text;

namespace Ashlar.Parser.Tests.Conformance;

/// <summary>
/// Finds BuildKit's parser and lexer test data in the shared conformance folder, read in place (never copied):
/// <c>$ASHLAR_CONFORMANCE_DIR</c>, else <c>../shared/conformance/buildkit</c> next to the folder holding Builder.sln,
/// else the first <c>shared/conformance/buildkit</c> found walking up. Missing data is a test failure, never a skip.
/// </summary>
internal static class ConformanceData
{
    private static readonly Lazy<string> Location = new(Locate);

    public static string Root => Location.Value;

    public static string ParserCases => Path.Combine(Root, "parser", "testfiles");

    public static string NegativeCases => Path.Combine(Root, "parser", "testfiles-negative");

    /// <summary>Reads a file byte-exact as UTF-8 (no BOM or newline translation).</summary>
    public static string Read(string path) => new UTF8Encoding(false).GetString(File.ReadAllBytes(path));

    public static IEnumerable<string> CaseNames(string folder) =>
        Directory.GetDirectories(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!;

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ASHLAR_CONFORMANCE_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            foreach (var candidate in new[] { fromEnvironment, Path.Combine(fromEnvironment, "buildkit") })
            {
                if (Directory.Exists(Path.Combine(candidate, "parser")))
                    return Path.GetFullPath(candidate);
            }
            throw new DirectoryNotFoundException(
                $"ASHLAR_CONFORMANCE_DIR={fromEnvironment} holds no BuildKit conformance data (expected a 'parser' folder in it or in its 'buildkit' folder).");
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Builder.sln")))
            {
                var sibling = Path.Combine(dir.FullName, "..", "shared", "conformance", "buildkit");
                if (Directory.Exists(sibling))
                    return Path.GetFullPath(sibling);
                break;
            }
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance", "buildkit");
            if (Directory.Exists(candidate))
                return candidate;
        }

        throw new DirectoryNotFoundException(
            "BuildKit conformance data not found: expected ../shared/conformance/buildkit next to the repository " +
            "(the folder with Builder.sln), a shared/conformance/buildkit folder above " + AppContext.BaseDirectory +
            ", or ASHLAR_CONFORMANCE_DIR pointing at it.");
    }
}
