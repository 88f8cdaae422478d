using Ashlar.Parser;
using Ashlar.Parser.Ignore;

namespace Ashlar.Builder.Context;

/// <summary>
/// Paths a copy leaves out: the build context's ignore file or a COPY/ADD's <c>--exclude</c> patterns, matched by the
/// parser's <see cref="DockerIgnore"/> (moby/patternmatcher: the last matching pattern decides, a pattern also covers
/// everything under a directory it matches, <c>!pattern</c> re-includes, <c>**</c> spans directories).
/// </summary>
public sealed class IgnoreRules
{
    private readonly DockerIgnore _rules;

    private IgnoreRules(DockerIgnore rules, string origin)
    {
        _rules = rules;
        Origin = origin;
    }

    /// <summary>Where the rules came from (".dockerignore", "app.Dockerfile.dockerignore", "--exclude"), for messages.</summary>
    public string Origin { get; }

    /// <summary>The patterns (cleaned), re-inclusions with their <c>!</c>.</summary>
    public IReadOnlyList<string> Patterns => _rules.Patterns.Select(p => p.ToString()).ToList();

    /// <summary>True when nothing is left out.</summary>
    public bool IsEmpty => _rules.Patterns.Count == 0;

    /// <summary>Rules that leave nothing out.</summary>
    public static IgnoreRules None { get; } = new(DockerIgnore.Empty, "");

    /// <summary>Rules from an ignore file already parsed.</summary>
    public static IgnoreRules From(DockerIgnore rules, string origin) => new(rules, origin);

    /// <summary>Parses ignore-file text; a bad pattern throws a <see cref="ParseError"/> naming the file and line.</summary>
    public static IgnoreRules Parse(string text, string fileName) => new(DockerIgnore.Parse(text, fileName), fileName);

    /// <summary>Rules from patterns given one by one (<c>--exclude</c>); a bad pattern throws a <see cref="ParseError"/> naming it.</summary>
    public static IgnoreRules FromPatterns(IEnumerable<string> patterns, string origin = "--exclude")
    {
        try { return new IgnoreRules(DockerIgnore.FromPatterns(patterns), origin); }
        catch (ParseError e) { throw new ParseError(e.Reason, origin, hint: e.Hint); }
    }

    /// <summary>True when <paramref name="path"/> (clean, relative, slash-separated) is left out.</summary>
    public bool IsIgnored(string path) => path.Length > 0 && !IsEmpty && _rules.IsExcluded(path);

    /// <summary>The pattern that leaves <paramref name="path"/> out (for error messages), or null when it is not.</summary>
    public string? IgnoringPattern(string path)
    {
        if (!IsIgnored(path)) return null;
        // Only on the error path: find the last plain pattern that excludes the path on its own.
        for (var i = _rules.Patterns.Count - 1; i >= 0; i--)
        {
            var pattern = _rules.Patterns[i];
            if (!pattern.IsException && DockerIgnore.FromPatterns([pattern.Text]).IsExcluded(path)) return pattern.Text;
        }
        return null;
    }

    /// <summary>True when an ignored directory can be skipped without walking it: no <c>!pattern</c> can re-include anything under it.</summary>
    internal bool CanSkipIgnoredDirectory(string directory) => _rules.CanSkipDirectory(directory);
}
