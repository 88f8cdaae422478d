using System.Text;
using System.Text.RegularExpressions;

namespace Ashlar.Builder.Context;

/// <summary>
/// One path pattern, compiled to a regular expression once. Two dialects, both as BuildKit uses them:
/// <see cref="Glob"/> is Go's <c>filepath.Match</c> (COPY source wildcards: <c>*</c>, <c>?</c> and <c>[...]</c> never
/// cross a <c>/</c>, and <c>**</c> is just two stars), <see cref="Ignore"/> is moby/patternmatcher's (.dockerignore,
/// <c>--exclude</c>, <c>--parents</c> include patterns: <c>**</c> spans any number of directories).
/// </summary>
internal sealed class PathPattern
{
    private readonly Regex _regex;

    private PathPattern(string text, Regex regex, bool exclusion)
    {
        Text = text;
        _regex = regex;
        IsExclusion = exclusion;
    }

    /// <summary>The cleaned pattern, without a leading <c>!</c>.</summary>
    public string Text { get; }

    /// <summary>True for a <c>!pattern</c> line: it re-includes what earlier patterns excluded.</summary>
    public bool IsExclusion { get; }

    public bool Matches(string path) => _regex.IsMatch(path);

    /// <summary>True when <paramref name="text"/> has a character that <c>filepath.Match</c> treats specially.</summary>
    public static bool HasWildcards(string text) => text.AsSpan().IndexOfAny("*?[\\") >= 0;

    /// <summary>A Go <c>filepath.Match</c> pattern matched against a whole slash-separated relative path.</summary>
    public static PathPattern Glob(string pattern) => new(pattern, Compile(pattern, doubleStar: false, pattern), false);

    /// <summary>
    /// A patternmatcher pattern: a leading <c>!</c> makes it an exclusion; the rest is cleaned like
    /// <c>filepath.Clean</c> and stripped of a leading <c>/</c>, because patterns are relative to the context root.
    /// </summary>
    public static PathPattern Ignore(string pattern)
    {
        var exclusion = pattern.StartsWith('!');
        var body = exclusion ? pattern[1..].Trim() : pattern;
        body = ContextPath.Clean(body);
        if (body.Length == 0) body = ".";
        return new PathPattern(body, Compile(body, doubleStar: true, pattern), exclusion);
    }

    private static Regex Compile(string pattern, bool doubleStar, string original)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*' when doubleStar && i + 1 < pattern.Length && pattern[i + 1] == '*':
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/') i++; // "**/" is "**"
                    // "**" at the end takes everything (as .gitignore); elsewhere any number of directories, even none.
                    regex.Append(i + 1 == pattern.Length ? ".*" : "(.*/)?");
                    break;
                case '*':
                    regex.Append("[^/]*");
                    break;
                case '?':
                    regex.Append("[^/]");
                    break;
                case '\\':
                    if (i + 1 >= pattern.Length) throw BadPattern(original, "ends with a lone backslash");
                    regex.Append(Regex.Escape(pattern[++i].ToString()));
                    break;
                case '[':
                    i = AppendClass(pattern, i, regex, original);
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }
        regex.Append('$');
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    // A Go character class: [abc], [a-z], [^a-z]; escapes with backslash. Never matches '/'.
    private static int AppendClass(string pattern, int start, StringBuilder regex, string original)
    {
        var i = start + 1;
        var body = new StringBuilder("[");
        if (i < pattern.Length && pattern[i] == '^') { body.Append('^'); i++; }
        var any = false;
        for (; i < pattern.Length && (pattern[i] != ']' || !any); i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (++i >= pattern.Length) break;
                c = pattern[i];
            }
            else if (c == '-' && any && i + 1 < pattern.Length && pattern[i + 1] != ']')
            {
                body.Append('-');
                continue;
            }
            body.Append(c is '\\' or ']' or '[' or '^' or '-' ? "\\" + c : c.ToString());
            any = true;
        }
        if (i >= pattern.Length || !any) throw BadPattern(original, "has an unterminated character class");
        body.Append(']');
        // A class never matches the separator.
        regex.Append("(?!/)").Append(body);
        return i;
    }

    private static ArgumentException BadPattern(string pattern, string reason) => new($"invalid pattern \"{pattern}\": it {reason}");

    public override string ToString() => IsExclusion ? "!" + Text : Text;
}
