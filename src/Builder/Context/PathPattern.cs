using System.Text;
using System.Text.RegularExpressions;

namespace Ashlar.Builder.Context;

/// <summary>
/// A COPY/ADD source wildcard, compiled to a regular expression once: Go's <c>filepath.Match</c> as BuildKit applies
/// it to sources (<c>*</c>, <c>?</c> and <c>[...]</c> never cross a <c>/</c>; <c>**</c> is just two stars). The
/// patternmatcher dialect (.dockerignore, <c>--exclude</c>, <c>--parents</c>) is the parser's <c>DockerIgnore</c>.
/// </summary>
internal sealed class PathPattern
{
    private readonly Regex _regex;

    private PathPattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
    }

    /// <summary>The pattern as given.</summary>
    public string Text { get; }

    public bool Matches(string path) => _regex.IsMatch(path);

    /// <summary>True when <paramref name="text"/> has a character that <c>filepath.Match</c> treats specially.</summary>
    public static bool HasWildcards(string text) => text.AsSpan().IndexOfAny("*?[\\") >= 0;

    /// <summary>A Go <c>filepath.Match</c> pattern matched against a whole slash-separated relative path.</summary>
    public static PathPattern Glob(string pattern) => new(pattern, Compile(pattern, pattern));

    private static Regex Compile(string pattern, string original)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
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

    private static FormatException BadPattern(string pattern, string reason) => new($"invalid source pattern \"{pattern}\": it {reason}");

    public override string ToString() => Text;
}
