using System.Text;
using System.Text.RegularExpressions;

namespace Ashlar.Parser.Shell;

/// <summary>
/// Shell patterns of <c>${v#p}</c>, <c>${v%p}</c> and <c>${v/p/r}</c>: <c>*</c> any string, <c>?</c> one character,
/// backslash escapes; no bracket expressions (as in BuildKit).
/// </summary>
internal static class ShellPattern
{
    // Patterns repeat across a build (the same ${v%/*} in many steps); compiling a Regex costs far more than matching.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string, bool, bool), Regex> Cache = new();
    private const int CacheLimit = 1024;

    public static Regex ToRegex(string pattern, bool greedy, bool anchored)
    {
        if (Cache.TryGetValue((pattern, greedy, anchored), out var cached))
            return cached;
        var regex = Build(pattern, greedy, anchored);
        if (Cache.Count < CacheLimit)
            Cache.TryAdd((pattern, greedy, anchored), regex);
        return regex;
    }

    private static Regex Build(string pattern, bool greedy, bool anchored)
    {
        var regex = new StringBuilder(pattern.Length + 4);
        if (anchored)
            regex.Append('^');
        var star = greedy ? ".*" : ".*?";
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*':
                    regex.Append(star);
                    continue;
                case '?':
                    regex.Append('.');
                    continue;
                case '\\':
                    // An escaped } or / belongs to the ${} syntax, not to the pattern.
                    if (i + 1 < pattern.Length && pattern[i + 1] is '}' or '/')
                        continue;
                    if (i + 1 >= pattern.Length || pattern[i + 1] is not ('*' or '?' or '\\'))
                        throw new ShellWordExpander.ExpansionFailure(
                            $"invalid pattern ({pattern}) in substitution: invalid escape '\\{(i + 1 < pattern.Length ? pattern[i + 1].ToString() : "")}'");
                    regex.Append('\\').Append(pattern[++i]);
                    continue;
                case '[' or ']' or '{' or '}' or '.' or '+' or '(' or ')' or '|' or '^' or '$':
                    regex.Append('\\').Append(c);
                    continue;
                default:
                    // Characters .NET treats specially but Go's RE2 would see literally in this position.
                    if (c is '#' or ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
                        regex.Append(Regex.Escape(c.ToString()));
                    else
                        regex.Append(c);
                    continue;
            }
        }
        // Go's RE2 runs in linear time; the non-backtracking engine keeps "*a*a*a*b" from hanging a build.
        return new Regex(regex.ToString(), RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
    }

    public static string TrimPrefix(string pattern, string value, bool greedy)
    {
        var match = ToRegex(pattern, greedy, anchored: true).Match(value);
        return match.Success ? value[(match.Index + match.Length)..] : value;
    }

    // A regex cannot find the shortest rightmost match, so both pattern and value are reversed (as BuildKit does).
    public static string TrimSuffix(string pattern, string value, bool greedy) =>
        ReverseRunes(TrimPrefix(ReversePattern(pattern), ReverseRunes(value), greedy));

    private static string ReversePattern(string pattern)
    {
        var runes = pattern.EnumerateRunes().ToArray();
        var reversed = new Rune[runes.Length];
        var last = runes.Length - 1;
        for (var i = 0; i <= last;)
        {
            var outIndex = last - i;
            if (runes[i].Value == '\\' && i != last)
            {
                reversed[outIndex - 1] = runes[i];
                reversed[outIndex] = runes[i + 1];
                i += 2;
            }
            else
            {
                reversed[outIndex] = runes[i];
                i++;
            }
        }
        return Concat(reversed);
    }

    private static string ReverseRunes(string value)
    {
        var runes = value.EnumerateRunes().ToArray();
        Array.Reverse(runes);
        return Concat(runes);
    }

    private static string Concat(Rune[] runes)
    {
        var text = new StringBuilder();
        foreach (var rune in runes)
            text.Append(rune.ToString());
        return text.ToString();
    }

    /// <summary>Go's <c>Regexp.ReplaceAllString</c>: <c>$name</c>, <c>${name}</c> and <c>$$</c> in the template.</summary>
    public static string ReplaceAll(Regex regex, string value, string template) =>
        regex.Replace(value, match => ExpandTemplate(template, match));

    private static string ExpandTemplate(string template, Match match)
    {
        var text = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c != '$' || i + 1 >= template.Length)
            {
                text.Append(c);
                continue;
            }
            if (template[i + 1] == '$')
            {
                text.Append('$');
                i++;
                continue;
            }
            string? name = null;
            var end = i + 1;
            if (template[end] == '{')
            {
                var close = template.IndexOf('}', end + 1);
                if (close > end + 1 && IsName(template.AsSpan(end + 1, close - end - 1)))
                {
                    name = template[(end + 1)..close];
                    end = close + 1;
                }
            }
            else
            {
                while (end < template.Length && (char.IsAsciiLetterOrDigit(template[end]) || template[end] == '_'))
                    end++;
                if (end > i + 1)
                    name = template[(i + 1)..end];
            }
            if (name is null)
            {
                text.Append('$');
                continue;
            }
            // The converted pattern has no groups: only $0 refers to something.
            if (name.All(char.IsAsciiDigit) && int.TryParse(name, out var index) && index == 0)
                text.Append(match.Value);
            i = end - 1;
        }
        return text.ToString();
    }

    private static bool IsName(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                return false;
        }
        return true;
    }
}
