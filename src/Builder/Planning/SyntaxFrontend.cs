using System.Text.RegularExpressions;
using Ashlar.Images.References;
using Ashlar.Parser;

namespace Ashlar.Builder.Planning;

/// <summary>
/// The <c># syntax=</c> directive (or BuildKit's <c>BUILDKIT_SYNTAX</c> build arg, which overrides it). BuildKit pulls
/// and runs the named frontend image; Ashlar cannot run foreign frontends, but it implements the Dockerfile syntax
/// itself, so the official Dockerfile frontend in any 1.x release (with or without <c>-labs</c>, a digest or the
/// docker.io domain) is its own built-in frontend. Any other image is an error naming where it was asked for, unless
/// the build opts to ignore it (then a warning says the built-in frontend was used).
/// </summary>
internal static partial class SyntaxFrontend
{
    /// <summary>The environment variable that makes a foreign frontend a warning instead of an error.</summary>
    public const string IgnoreVariable = "ASHLAR_IGNORE_SYNTAX";

    private const string BuildArg = "BUILDKIT_SYNTAX";

    // docker/dockerfile's tags (and docker/dockerfile-upstream's): latest, labs, 1, 1.7, 1.7.1, 1-labs, 1.7-labs,
    // the old 1.x-experimental, and upstream's master builds.
    [GeneratedRegex(@"^(latest|labs|experimental|master|master-labs|1(\.[0-9]+){0,2}(-labs|-experimental)?)$", RegexOptions.CultureInvariant)]
    private static partial Regex BuiltInTag();

    /// <summary>
    /// Checks the frontend <paramref name="dockerfile"/> asks for. Returns a warning when a foreign frontend is ignored
    /// (<paramref name="ignoreForeign"/>), null when there is nothing to say; throws <see cref="BuildException"/> for a
    /// foreign frontend otherwise, naming the file and line of the directive (or the build arg) and the image.
    /// </summary>
    public static string? Check(Dockerfile dockerfile, IReadOnlyDictionary<string, string> buildArgs, bool ignoreForeign)
    {
        string image, where;
        var line = 0;
        if (buildArgs.TryGetValue(BuildArg, out var fromArg) && fromArg.Trim().Length > 0)
        {
            image = fromArg.Trim();
            where = $"--build-arg {BuildArg}={image}";
        }
        else if (dockerfile.Directives.FirstOrDefault(d => d.Name == "syntax") is { } directive && directive.Value.Trim().Length > 0)
        {
            image = directive.Value.Trim();
            line = directive.Line;
            where = $"# syntax={image}";
        }
        else
        {
            return null;
        }

        if (IsBuiltIn(image)) return null;
        var reason = $"{where} asks for the frontend image {image}, which Ashlar cannot run: it builds with its built-in Dockerfile "
                     + "frontend, which stands for docker/dockerfile:1 (1.x and 1.x-labs)";
        if (ignoreForeign)
            return $"{(line > 0 ? $"{dockerfile.FileName}:{line}: " : "")}{reason}; {IgnoreVariable} is set, so the built-in frontend is used instead";
        throw new BuildException($"{reason}. Use docker/dockerfile:1 (or remove the directive), or set {IgnoreVariable}=1 to build with the built-in frontend anyway",
            line > 0 ? dockerfile.FileName : null, line) { IsInputError = true };
    }

    /// <summary>Whether <paramref name="image"/> names the official Dockerfile frontend in a release Ashlar implements.</summary>
    public static bool IsBuiltIn(string image)
    {
        if (!ImageReference.TryParse(image, out var reference)) return false;
        if (reference!.Domain != ImageReference.DefaultDomain || reference.Path is not ("docker/dockerfile" or "docker/dockerfile-upstream"))
            return false;
        // A digest alone pins some release of the official frontend; a tag must be a 1.x one.
        return reference.Tag is not { } tag || BuiltInTag().IsMatch(tag);
    }

    /// <summary>Whether the environment opts to ignore foreign frontends (<c>ASHLAR_IGNORE_SYNTAX=1|true</c>).</summary>
    public static bool IgnoreFromEnvironment() =>
        Environment.GetEnvironmentVariable(IgnoreVariable) is { } value && (value == "1" || value.Equals("true", StringComparison.OrdinalIgnoreCase));
}
