using System.Text;
using System.Text.RegularExpressions;

namespace Ashlar.Parser.Shell;

/// <summary>
/// Gives a parsed <see cref="Word"/> its value in an environment, with BuildKit's rules for where white space splits
/// words (unquoted text and variable values split; quoted and escaped text does not).
/// </summary>
internal sealed class ShellWordExpander(ShellLexer lexer, IReadOnlyDictionary<string, string> env)
{
    internal sealed class ExpansionFailure(string message) : Exception(message);

    public HashSet<string> Matched { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Unmatched { get; } = new(StringComparer.Ordinal);

    private char Escape => lexer.EscapeToken;

    public (string Result, List<string> Words) Expand(Word word)
    {
        var result = new StringBuilder();
        var words = new WordCollector();
        foreach (var part in word.Parts)
        {
            switch (part)
            {
                case PlainText plain:
                    result.Append(plain.Text);
                    foreach (var c in plain.Text)
                        words.AddChar(c);
                    break;
                case EscapedChar escaped:
                    if (word.RawEscapes)
                    {
                        words.AddRawChar(Escape);
                        result.Append(Escape);
                    }
                    words.AddRawChar(escaped.Char);
                    result.Append(escaped.Char);
                    break;
                case TrailingEscape:
                    if (word.RawEscapes)
                    {
                        words.AddRawChar(Escape);
                        result.Append(Escape);
                    }
                    break;
                case SingleQuoted quoted:
                {
                    var text = lexer.RawQuotes ? "'" + quoted.Text + "'" : quoted.Text;
                    result.Append(text);
                    words.AddRawString(text);
                    break;
                }
                case DoubleQuoted quoted:
                {
                    var text = ExpandDoubleQuoted(quoted, word.RawEscapes);
                    result.Append(text);
                    words.AddRawString(text);
                    break;
                }
                default:
                {
                    var text = ExpandParameter(part);
                    result.Append(text);
                    foreach (var c in text)
                        words.AddChar(c);
                    break;
                }
            }
        }
        return (result.ToString(), words.Finish());
    }

    private string ExpandDoubleQuoted(DoubleQuoted quoted, bool rawEscapes)
    {
        var text = new StringBuilder();
        if (lexer.RawQuotes)
            text.Append('"');
        foreach (var part in quoted.Parts)
        {
            switch (part)
            {
                case PlainText plain:
                    text.Append(plain.Text);
                    break;
                case EscapedChar escaped:
                    if (rawEscapes)
                        text.Append(Escape);
                    text.Append(escaped.Char);
                    break;
                case LoneEscape:
                    // BuildKit writes the escape once for RawEscapes and once as the kept character.
                    if (rawEscapes)
                        text.Append(Escape);
                    text.Append(Escape);
                    break;
                default:
                    text.Append(ExpandParameter(part));
                    break;
            }
        }
        if (lexer.RawQuotes)
            text.Append('"');
        return text.ToString();
    }

    private string ExpandParameter(WordPart part)
    {
        switch (part)
        {
            case DollarSign:
                return "$";
            case Variable variable:
            {
                if (TryGet(variable.Name, out var value))
                    return value;
                if (lexer.SkipUnsetEnv)
                    return variable.Braced ? "${" + variable.Name + "}" : "$" + variable.Name;
                return "";
            }
            case Modified modified:
                return ExpandModified(modified);
            case Replacement replacement:
                return ExpandReplacement(replacement);
            default:
                throw new ExpansionFailure("internal error: unexpected word part");
        }
    }

    private string ExpandModified(Modified modified)
    {
        // BuildKit reads (and so expands) the argument before it looks at the variable.
        var argument = Expand(modified.Argument).Result;
        var isSet = TryGet(modified.Name, out var value);
        if (lexer.SkipUnsetEnv && !isSet)
            return "${" + modified.Name + modified.Operator + argument + "}";
        var nullIsUnset = modified.Operator.Length == 2 && modified.Operator[0] == ':';
        var op = modified.Operator[^1];
        var unsetOrNull = !isSet || (nullIsUnset && value.Length == 0);
        if (modified.Operator.Length == 2 && !nullIsUnset)
            throw new ExpansionFailure($"unsupported modifier ({modified.Operator}) in substitution");
        switch (op)
        {
            case '-':
                return unsetOrNull ? argument : value;
            case '+':
                return unsetOrNull ? "" : argument;
            case '?':
                if (!isSet)
                    throw new ExpansionFailure($"{modified.Name}: {(argument.Length > 0 ? argument : "is not allowed to be unset")}");
                if (nullIsUnset && value.Length == 0)
                    throw new ExpansionFailure($"{modified.Name}: {(argument.Length > 0 ? argument : "is not allowed to be empty")}");
                return value;
            case '#' or '%' when !nullIsUnset:
            {
                var greedy = argument.Length > 0 && argument[0] == op;
                var pattern = greedy ? argument[1..] : argument;
                return op == '%' ? ShellPattern.TrimSuffix(pattern, value, greedy) : ShellPattern.TrimPrefix(pattern, value, greedy);
            }
            default:
                throw new ExpansionFailure($"unsupported modifier ({modified.Operator}) in substitution");
        }
    }

    private string ExpandReplacement(Replacement replacement)
    {
        var pattern = Expand(replacement.Pattern).Result;
        var with = Expand(replacement.With).Result;
        var isSet = TryGet(replacement.Name, out var value);
        if (lexer.SkipUnsetEnv && !isSet)
            return "${" + replacement.Name + "/" + pattern + "/" + with + "}";
        var regex = ShellPattern.ToRegex(pattern, greedy: true, anchored: false);
        if (replacement.All)
            return ShellPattern.ReplaceAll(regex, value, with);
        var match = regex.Match(value);
        return match.Success ? value[..match.Index] + with + value[(match.Index + match.Length)..] : value;
    }

    private bool TryGet(string name, out string value)
    {
        if (env.TryGetValue(name, out var found))
        {
            Matched.Add(name);
            value = found;
            return true;
        }
        Unmatched.Add(name);
        value = "";
        return false;
    }

    /// <summary>BuildKit's wordsStruct: collects split words while the result string is built.</summary>
    private sealed class WordCollector
    {
        private readonly StringBuilder _word = new();
        private readonly List<string> _words = [];
        private bool _inWord;

        public void AddChar(char c)
        {
            if (char.IsWhiteSpace(c))
            {
                if (_inWord && _word.Length != 0)
                {
                    _words.Add(_word.ToString());
                    _word.Clear();
                    _inWord = false;
                }
            }
            else
            {
                AddRawChar(c);
            }
        }

        public void AddRawChar(char c)
        {
            _word.Append(c);
            _inWord = true;
        }

        public void AddRawString(string text)
        {
            _word.Append(text);
            _inWord = true;
        }

        public List<string> Finish()
        {
            if (_word.Length > 0)
            {
                _words.Add(_word.ToString());
                _word.Clear();
                _inWord = false;
            }
            return _words;
        }
    }
}
