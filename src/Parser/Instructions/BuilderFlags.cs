namespace Ashlar.Parser.Instructions;

/// <summary>
/// The flags an instruction accepts and their values (BuildKit's <c>BFlags</c>): string flags need a value, boolean
/// flags take none or true/false, list flags may repeat. Unknown and repeated flags are errors.
/// </summary>
internal sealed class BuilderFlags(IReadOnlyList<string> words)
{
    private enum Kind { String, Bool, Strings }

    private readonly Dictionary<string, Kind> _accepted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _lists = new(StringComparer.Ordinal);

    public BuilderFlags String(string name) { _accepted[name] = Kind.String; return this; }
    public BuilderFlags Bool(string name) { _accepted[name] = Kind.Bool; return this; }
    public BuilderFlags Strings(string name) { _accepted[name] = Kind.Strings; return this; }

    public string? GetString(string name) => _values.GetValueOrDefault(name);
    public bool GetBool(string name) => _values.TryGetValue(name, out var v) && v == "true";
    public bool? GetOptionalBool(string name) => _values.TryGetValue(name, out var v) ? v == "true" : null;
    public IReadOnlyList<string> GetStrings(string name) => _lists.TryGetValue(name, out var list) ? list : [];

    /// <summary>Validates every flag word; throws <see cref="ParseError"/> (without location) naming the flag.</summary>
    public BuilderFlags Parse(string keyword)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in words)
        {
            if (!word.StartsWith("--", StringComparison.Ordinal))
                throw new ParseError($"arg should start with -- : {word}");
            var equals = word.IndexOf('=');
            var name = equals < 0 ? word[2..] : word[2..equals];
            var value = equals < 0 ? null : word[(equals + 1)..];
            if (!_accepted.TryGetValue(name, out var kind))
            {
                var suggestion = Suggestions.Closest(name, _accepted.Keys);
                var hint = suggestion is not null
                    ? $"did you mean --{suggestion}?"
                    : _accepted.Count == 0
                        ? $"{keyword} takes no flags"
                        : $"{keyword} accepts {string.Join(", ", _accepted.Keys.Select(k => "--" + k))}";
                throw new ParseError($"unknown flag: --{name}", text: word, hint: hint);
            }
            if (!seen.Add(name) && kind != Kind.Strings)
                throw new ParseError($"duplicate flag specified: --{name}", text: word);
            switch (kind)
            {
                case Kind.Bool:
                    if (value is not null && value.Length == 0)
                        throw new ParseError($"missing a value on flag: --{name}", text: word);
                    _values[name] = (value ?? "").ToLowerInvariant() switch
                    {
                        "true" or "" => "true",
                        "false" => "false",
                        _ => throw new ParseError($"expecting boolean value for flag {name}, not: {value}", text: word),
                    };
                    break;
                case Kind.String:
                    _values[name] = value ?? throw new ParseError($"missing a value on flag: --{name}", text: word, hint: $"write --{name}=VALUE");
                    break;
                case Kind.Strings:
                    if (value is null)
                        throw new ParseError($"missing a value on flag: --{name}", text: word, hint: $"write --{name}=VALUE");
                    if (!_lists.TryGetValue(name, out var list))
                        _lists[name] = list = [];
                    list.Add(value);
                    break;
            }
        }
        return this;
    }
}
