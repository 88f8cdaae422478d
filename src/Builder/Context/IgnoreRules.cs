namespace Ashlar.Builder.Context;

/// <summary>
/// An ordered list of patternmatcher patterns (.dockerignore lines or <c>--exclude</c> values): the last pattern that
/// matches a path, or one of its parent directories, decides; a <c>!pattern</c> re-includes.
/// </summary>
public sealed class IgnoreRules
{
    private readonly List<PathPattern> _patterns;

    private IgnoreRules(List<PathPattern> patterns, string origin)
    {
        _patterns = patterns;
        Origin = origin;
    }

    /// <summary>Where the rules came from (".dockerignore", "Dockerfile.dockerignore", "--exclude"), for messages.</summary>
    public string Origin { get; }

    /// <summary>The patterns as given (cleaned), exclusions with their <c>!</c>.</summary>
    public IReadOnlyList<string> Patterns => _patterns.Select(p => p.ToString()).ToList();

    /// <summary>True when there is nothing to ignore.</summary>
    public bool IsEmpty => _patterns.Count == 0;

    internal bool HasExclusions => _patterns.Any(p => p.IsExclusion);

    /// <summary>Rules from patterns given one by one (<c>--exclude</c>); a bad pattern throws naming it.</summary>
    public static IgnoreRules FromPatterns(IEnumerable<string> patterns, string origin = "--exclude")
    {
        var list = new List<PathPattern>();
        foreach (var raw in patterns)
        {
            var pattern = raw.Trim();
            if (pattern.Length == 0) continue;
            if (pattern == "!") throw new FormatException($"{origin}: illegal exclusion pattern \"!\"");
            try { list.Add(PathPattern.Ignore(pattern)); }
            catch (ArgumentException e) { throw new FormatException($"{origin}: {e.Message}", e); }
        }
        return new IgnoreRules(list, origin);
    }

    /// <summary>
    /// Parses a .dockerignore file's text like BuildKit's ignorefile.ReadAll: one pattern per line, surrounding
    /// whitespace trimmed, empty lines and lines starting with <c>#</c> skipped. Errors name the file and line.
    /// </summary>
    public static IgnoreRules Parse(string text, string fileName)
    {
        var list = new List<PathPattern>();
        var lines = text.TrimStart('\uFEFF').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#')) continue;
            var pattern = line.Trim();
            if (pattern.Length == 0) continue;
            if (pattern == "!") throw new FormatException($"{fileName}:{i + 1}: illegal exclusion pattern \"!\"");
            try { list.Add(PathPattern.Ignore(pattern)); }
            catch (ArgumentException e) { throw new FormatException($"{fileName}:{i + 1}: {e.Message}", e); }
        }
        return new IgnoreRules(list, fileName);
    }

    /// <summary>Rules that ignore nothing.</summary>
    public static IgnoreRules None { get; } = new([], "");

    /// <summary>True when <paramref name="path"/> (clean, relative, slash-separated) is ignored.</summary>
    public bool IsIgnored(string path) => Decide(path) is { IsExclusion: false };

    /// <summary>The pattern that ignores <paramref name="path"/>, or null when it is not ignored.</summary>
    public string? IgnoringPattern(string path) => Decide(path) is { IsExclusion: false } p ? p.Text : null;

    // patternmatcher's MatchesOrParentMatches: a pattern applies when it matches the path or any parent directory.
    private PathPattern? Decide(string path)
    {
        if (path.Length == 0) return null;
        PathPattern? deciding = null;
        var ignored = false;
        foreach (var pattern in _patterns)
        {
            // An inclusion cannot change an ignored path, an exclusion cannot change a kept one.
            if (pattern.IsExclusion != ignored) continue;
            if (MatchesSelfOrParent(pattern, path))
            {
                ignored = !pattern.IsExclusion;
                deciding = pattern;
            }
        }
        return deciding;
    }

    private static bool MatchesSelfOrParent(PathPattern pattern, string path)
    {
        if (pattern.Matches(path)) return true;
        for (var slash = path.IndexOf('/'); slash >= 0; slash = path.IndexOf('/', slash + 1))
            if (pattern.Matches(path[..slash])) return true;
        return false;
    }

    /// <summary>
    /// True when an ignored directory can be skipped without walking it: no <c>!pattern</c> names something under it.
    /// Like BuildKit's walker, only exclusions whose text starts with the directory's path keep it walked.
    /// </summary>
    internal bool CanSkipIgnoredDirectory(string directory)
    {
        var prefix = directory + "/";
        foreach (var pattern in _patterns)
            if (pattern.IsExclusion && (pattern.Text + "/").StartsWith(prefix, StringComparison.Ordinal))
                return false;
        return true;
    }
}
