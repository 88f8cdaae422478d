namespace Ashlar.Parser.Ignore;

/// <summary>
/// The exclusion rules of a build context, from <c>.dockerignore</c> or <c>&lt;Dockerfile&gt;.dockerignore</c>,
/// matched like Docker's pattern matcher (moby/patternmatcher): later patterns win, <c>!</c> re-includes, a path is
/// also excluded when one of its parent directories is.
/// </summary>
public sealed class DockerIgnore
{
    /// <summary>Excludes nothing.</summary>
    public static readonly DockerIgnore Empty = new([]);

    private DockerIgnore(IReadOnlyList<IgnorePattern> patterns)
    {
        Patterns = patterns;
        HasExceptions = patterns.Any(p => p.IsException);
    }

    /// <summary>The patterns in file order.</summary>
    public IReadOnlyList<IgnorePattern> Patterns { get; }

    /// <summary>True when some <c>!pattern</c> can re-include paths.</summary>
    public bool HasExceptions { get; }

    /// <summary>
    /// Reads <c>.dockerignore</c> text: one pattern per line; lines starting with <c>#</c> are comments; surrounding
    /// white space is ignored; patterns are cleaned like paths and a leading <c>/</c> (or <c>./</c>) is dropped.
    /// </summary>
    /// <exception cref="ParseError">A pattern is malformed (for example a lone <c>!</c> or an unclosed <c>[</c>).</exception>
    public static DockerIgnore Parse(string text, string fileName = ".dockerignore")
    {
        ArgumentNullException.ThrowIfNull(text);
        var patterns = new List<IgnorePattern>();
        var lines = text.Split('\n');
        for (var number = 1; number <= lines.Length; number++)
        {
            var line = lines[number - 1].TrimEnd('\r');
            if (number == 1)
                line = line.TrimStart('\uFEFF');
            if (line.StartsWith('#'))
                continue;
            var pattern = line.Trim();
            if (pattern.Length == 0)
                continue;
            var exception = pattern[0] == '!';
            if (exception)
                pattern = pattern[1..].Trim();
            if (pattern.Length > 0)
            {
                pattern = GoPath.Clean(pattern);
                if (pattern.Length > 1 && pattern[0] == '/')
                    pattern = pattern[1..];
            }
            try
            {
                var compiled = Compile((exception ? "!" : "") + pattern);
                if (compiled is not null)
                    patterns.Add(compiled);
            }
            catch (ParseError error)
            {
                throw new ParseError(error.Reason, fileName, number, 1, line, error.Hint);
            }
        }
        return new DockerIgnore(patterns);
    }

    /// <summary>Builds the matcher from patterns as given on a command line or in an API call.</summary>
    /// <exception cref="ParseError">A pattern is malformed.</exception>
    public static DockerIgnore FromPatterns(IEnumerable<string> patterns)
    {
        var compiled = new List<IgnorePattern>();
        foreach (var pattern in patterns)
        {
            if (Compile(pattern) is { } p)
                compiled.Add(p);
        }
        return new DockerIgnore(compiled);
    }

    // patternmatcher.New: trim, clean, split off '!', validate.
    private static IgnorePattern? Compile(string raw)
    {
        var pattern = raw.Trim();
        if (pattern.Length == 0)
            return null;
        pattern = GoPath.Clean(pattern);
        var exception = pattern[0] == '!';
        if (exception)
        {
            if (pattern.Length == 1)
                throw new ParseError("illegal exclusion pattern: \"!\"", hint: "write !path to re-include a path");
            pattern = pattern[1..];
        }
        ValidateBrackets(pattern);
        return new IgnorePattern(pattern, exception);
    }

    // filepath.Match's syntax check: every [ needs its ], and a trailing \ escapes nothing.
    private static void ValidateBrackets(string pattern)
    {
        var inClass = false;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 >= pattern.Length)
                    throw new ParseError($"syntax error in pattern \"{pattern}\": trailing backslash");
                i++;
                continue;
            }
            if (!inClass && c == '[')
            {
                inClass = true;
                if (i + 1 < pattern.Length && pattern[i + 1] == '^')
                    i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == ']')
                    throw new ParseError($"syntax error in pattern \"{pattern}\": empty character class");
            }
            else if (inClass && c == ']')
            {
                inClass = false;
            }
        }
        if (inClass)
            throw new ParseError($"syntax error in pattern \"{pattern}\": unclosed '['");
    }

    /// <summary>
    /// True when <paramref name="relativePath"/> (slash-separated, relative to the context root; a leading <c>/</c>
    /// or <c>./</c> is ignored) is excluded from the context, by itself or through a parent directory.
    /// </summary>
    public bool IsExcluded(string relativePath)
    {
        var path = Normalize(relativePath);
        if (path == ".")
            return false;
        var excluded = false;
        var parent = GoPath.Dir(path);
        var parentParts = parent.Split('/');
        foreach (var pattern in Patterns)
        {
            // An exclusion only matters while the path is included, an exception only once it is excluded.
            if (pattern.IsException != excluded)
                continue;
            var match = pattern.Matches(path);
            if (!match && parent != ".")
            {
                for (var i = 1; i <= parentParts.Length && !match; i++)
                    match = pattern.Matches(string.Join('/', parentParts, 0, i));
            }
            if (match)
                excluded = !pattern.IsException;
        }
        return excluded;
    }

    /// <summary>
    /// True when a context walker may skip the whole directory: it is excluded and no <c>!</c> exception could
    /// re-include anything below it. When false, walk it and ask <see cref="IsExcluded"/> per entry.
    /// </summary>
    public bool CanSkipDirectory(string relativeDirectory)
    {
        var directory = Normalize(relativeDirectory);
        if (!IsExcluded(directory))
            return false;
        if (!HasExceptions)
            return true;
        foreach (var pattern in Patterns)
        {
            if (pattern.IsException && pattern.CouldMatchInside(directory))
                return false;
        }
        return true;
    }

    /// <summary>
    /// Which ignore file applies: <c>&lt;Dockerfile&gt;.dockerignore</c> next to the Dockerfile wins over the context's
    /// <c>.dockerignore</c>; null when neither exists.
    /// </summary>
    public static string? ResolvePath(string contextDirectory, string dockerfilePath)
    {
        var specific = dockerfilePath + ".dockerignore";
        if (File.Exists(specific))
            return specific;
        var general = Path.Combine(contextDirectory, ".dockerignore");
        return File.Exists(general) ? general : null;
    }

    /// <summary>Loads the ignore file that applies to a build (see <see cref="ResolvePath"/>); <see cref="Empty"/> when there is none.</summary>
    /// <exception cref="ParseError">The file holds a malformed pattern.</exception>
    public static async Task<DockerIgnore> LoadAsync(string contextDirectory, string dockerfilePath, CancellationToken cancellationToken = default)
    {
        var path = ResolvePath(contextDirectory, dockerfilePath);
        if (path is null)
            return Empty;
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text, path);
    }

    private static string Normalize(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = GoPath.Clean(relativePath);
        while (path.StartsWith('/'))
            path = path[1..];
        return path.Length == 0 ? "." : path;
    }
}
