using System.Text;
using System.Text.RegularExpressions;

namespace Ashlar.Parser.Ignore;

/// <summary>
/// One <c>.dockerignore</c> pattern, matched like moby/patternmatcher: <c>*</c> and <c>?</c> never cross <c>/</c>,
/// <c>**</c> matches any number of directories, <c>[...]</c> is a character class, <c>\</c> escapes.
/// </summary>
public sealed class IgnorePattern
{
    private enum MatchKind { Exact, Prefix, Suffix, Regex }

    private readonly MatchKind _kind;
    private readonly Regex? _regex;

    internal IgnorePattern(string cleaned, bool isException)
    {
        Text = cleaned;
        IsException = isException;
        (_kind, _regex) = Compile(cleaned);
    }

    /// <summary>The cleaned pattern, without the leading <c>!</c>.</summary>
    public string Text { get; }

    /// <summary>True for a <c>!pattern</c> that re-includes what earlier patterns excluded.</summary>
    public bool IsException { get; }

    /// <inheritdoc/>
    public override string ToString() => IsException ? "!" + Text : Text;

    /// <summary>True when <paramref name="path"/> (cleaned, relative, slash-separated) matches the pattern itself (parents not considered).</summary>
    public bool Matches(string path) => _kind switch
    {
        MatchKind.Exact => path == Text,
        MatchKind.Prefix => path.StartsWith(Text[..^2], StringComparison.Ordinal),
        MatchKind.Suffix => path.EndsWith(Text[2..], StringComparison.Ordinal)
            || (Text.Length > 2 && Text[2] == '/' && path == Text[3..]),
        _ => _regex!.IsMatch(path),
    };

    /// <summary>
    /// Whether a path inside <paramref name="directory"/> could match this pattern: compares the pattern's leading
    /// components with the directory's (a <c>**</c> component could match anything below).
    /// </summary>
    internal bool CouldMatchInside(string directory)
    {
        var patternParts = Text.Split('/');
        var directoryParts = directory.Split('/');
        for (var i = 0; i < patternParts.Length; i++)
        {
            if (patternParts[i].Contains("**", StringComparison.Ordinal))
                return true;
            if (i >= directoryParts.Length)
                return true;
            var (kind, regex) = Compile(patternParts[i]);
            if (kind == MatchKind.Regex ? !regex!.IsMatch(directoryParts[i]) : patternParts[i] != directoryParts[i])
                return false;
        }
        // The pattern names the directory itself (or a parent): its children follow the directory's fate.
        return patternParts.Length > directoryParts.Length;
    }

    // Builders make matchers per COPY --exclude or per source pattern; a linear-time regex is costly to build, so the
    // compiled form of a pattern is shared.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (MatchKind, Regex?)> Compiled = new(StringComparer.Ordinal);
    private const int CacheLimit = 4096;

    private static (MatchKind Kind, Regex? Regex) Compile(string pattern)
    {
        if (Compiled.TryGetValue(pattern, out var cached))
            return cached;
        var compiled = CompileUncached(pattern);
        if (Compiled.Count < CacheLimit)
            Compiled.TryAdd(pattern, compiled);
        return compiled;
    }

    // A port of patternmatcher's compile: cheap exact/prefix/suffix matches where the pattern allows, else a regex.
    private static (MatchKind Kind, Regex? Regex) CompileUncached(string pattern)
    {
        var regex = new StringBuilder("^");
        var kind = MatchKind.Exact;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    var first = i == 0;
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                        i++;
                    if (i + 1 >= pattern.Length)
                    {
                        if (kind == MatchKind.Exact)
                        {
                            kind = MatchKind.Prefix;
                        }
                        else
                        {
                            regex.Append(".*");
                            kind = MatchKind.Regex;
                        }
                    }
                    else
                    {
                        regex.Append("(.*/)?");
                        kind = MatchKind.Regex;
                    }
                    if (first)
                        kind = MatchKind.Suffix;
                }
                else
                {
                    regex.Append("[^/]*");
                    kind = MatchKind.Regex;
                }
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
                kind = MatchKind.Regex;
            }
            else if (".+()|{}$^".Contains(c))
            {
                regex.Append('\\').Append(c);
            }
            else if (c == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    // Go hands "\x" to RE2 as is: the classes \d \s \w (and negations) mean the same in .NET;
                    // anything else is the escaped character itself.
                    var escaped = pattern[++i];
                    if ("dDsSwW".Contains(escaped))
                        regex.Append('\\').Append(escaped);
                    else
                        regex.Append(Regex.Escape(escaped.ToString()));
                    kind = MatchKind.Regex;
                }
                else
                {
                    regex.Append("\\\\");
                }
            }
            else if (c is '[' or ']')
            {
                regex.Append(c);
                kind = MatchKind.Regex;
            }
            else if (c is '#' or ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
            else
            {
                regex.Append(c);
            }
        }
        if (kind != MatchKind.Regex)
            return (kind, null);
        regex.Append('$');
        try
        {
            // Linear-time matching like Go's RE2, whatever the pattern.
            return (kind, new Regex(ToDotNetClasses(regex.ToString()), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw new ParseError($"invalid pattern \"{pattern}\": {e.Message}");
        }
    }

    // Go's filepath.Match negates a class with [^...]; .NET agrees. Nothing else to translate today.
    private static string ToDotNetClasses(string regex) => regex;
}
