using Pidgin;
namespace Ashlar.Parser.Syntax;

/// <summary>
/// Turns one logical line into a <see cref="Node"/>: splits off the keyword and its flags, then hands the body to the
/// keyword's line parser (BuildKit's dispatch table in parser.go). Errors come back as <see cref="ParseError"/>
/// without a location; the caller adds it.
/// </summary>
internal static class LineParsers
{
    private delegate Node LineParser(Node node, string body, char escapeToken);

    private static readonly Dictionary<string, LineParser> Dispatch = new(StringComparer.Ordinal)
    {
        ["add"] = MaybeJsonToList,
        ["arg"] = NameOrNameValue,
        ["cmd"] = MaybeJson,
        ["copy"] = MaybeJsonToList,
        ["entrypoint"] = MaybeJson,
        ["env"] = (node, body, escape) => NameValue(node, body, escape, "ENV"),
        ["expose"] = WhitespaceDelimited,
        ["from"] = WhitespaceDelimited,
        ["healthcheck"] = HealthConfig,
        ["label"] = (node, body, escape) => NameValue(node, body, escape, "LABEL"),
        ["maintainer"] = WholeString,
        ["run"] = MaybeJson,
        ["shell"] = MaybeJson,
        ["stopsignal"] = WholeString,
        ["user"] = WholeString,
        ["volume"] = MaybeJsonToList,
        ["workdir"] = WholeString,
    };

    /// <summary>Keywords whose bodies may carry heredocs.</summary>
    public static bool CanContainHeredoc(Node node)
    {
        if (node.Value == "onbuild" && node.Trigger is not null)
            node = node.Trigger;
        return node.Value is "run" or "copy" or "add" && !node.IsJson;
    }

    // ONBUILD nests instructions; real files nest once, so a deep chain is garbage and must not exhaust the stack.
    private const int MaxNesting = 16;

    public static Node FromLine(string line, char escapeToken) => FromLine(line, escapeToken, 0);

    private static Node FromLine(string line, char escapeToken, int depth)
    {
        if (depth > MaxNesting)
            throw new ParseError("instruction nested too deeply", hint: "ONBUILD takes one instruction, not another ONBUILD");
        var trimmed = line.Trim();
        var split = 0;
        while (split < trimmed.Length && !IsTokenSpace(trimmed[split]))
            split++;
        var keyword = trimmed[..split].ToLowerInvariant();
        var flags = new List<string>();
        var body = "";
        if (split < trimmed.Length)
        {
            var rest = split;
            while (rest < trimmed.Length && IsTokenSpace(trimmed[rest]))
                rest++;
            (flags, body) = FlagGrammar.Extract(trimmed[rest..]);
            body = body.Trim();
        }
        var node = new Node { Value = keyword, Flags = flags, Original = line };
        if (keyword == "onbuild")
            return body.Length == 0 ? node : node with { Trigger = FromLine(body, escapeToken, depth + 1) };
        return Dispatch.TryGetValue(keyword, out var parse)
            ? parse(node, body, escapeToken)
            // Unknown keywords keep their name and drop their arguments; the typed layer rejects them.
            : node with { Arguments = [""] };
    }

    private static bool IsTokenSpace(char c) => c is '\t' or '\v' or '\f' or '\r' or ' ';

    private static Node WholeString(Node node, string body, char escape) =>
        body.Length == 0 ? node : node with { Arguments = [body] };

    private static Node WhitespaceDelimited(Node node, string body, char escape)
    {
        if (body.Length == 0)
            return node;
        return node with { Arguments = SplitOnTokenSpace(body) };
    }

    internal static List<string> SplitOnTokenSpace(string body)
    {
        var result = InstructionBodyGrammar.WhitespaceDelimited.Parse(body);
        return result.Success ? result.Value : [body];
    }

    private static Node MaybeJson(Node node, string body, char escape)
    {
        if (body.Length == 0)
            return node;
        var json = ParseJson(body);
        return json is null ? node with { Arguments = [body] } : node with { Arguments = json, IsJson = true };
    }

    private static Node MaybeJsonToList(Node node, string body, char escape)
    {
        var json = ParseJson(body);
        if (json is not null)
            return node with { Arguments = json, IsJson = true };
        return WhitespaceDelimited(node, body, escape);
    }

    /// <summary>The exec form: a JSON array of strings, or null when the body is not JSON (shell form).</summary>
    private static List<string>? ParseJson(string body)
    {
        var text = body.TrimStart();
        if (text.Length == 0 || text[0] != '[')
            return null;
        if (JsonNestingDepth(text) > MaxJsonDepth)
            throw new ParseError("JSON array nested too deeply", hint: "exec form takes a flat array of strings");
        var values = InstructionBodyGrammar.TryParseJsonArray(text);
        if (values is null)
            return null;
        var strings = new List<string>(values.Count);
        foreach (var value in values)
        {
            if (value is null)
                throw new ParseError("when using JSON array syntax, arrays must be comprised of strings only");
            strings.Add(value);
        }
        return strings;
    }

    // The JSON grammar is recursive; bound the depth before parsing so no input can exhaust the stack.
    private const int MaxJsonDepth = 200;

    private static int JsonNestingDepth(string text)
    {
        int depth = 0, max = 0;
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    inString = false;
                continue;
            }
            switch (c)
            {
                case '"': inString = true; break;
                case '[' or '{': max = Math.Max(max, ++depth); break;
                case ']' or '}': depth--; break;
            }
        }
        return max;
    }

    private static Node HealthConfig(Node node, string body, char escape)
    {
        var separator = 0;
        while (separator < body.Length && !char.IsWhiteSpace(body[separator]))
            separator++;
        if (separator == 0)
            return node;
        var next = separator;
        while (next < body.Length && char.IsWhiteSpace(body[next]))
            next++;
        var command = MaybeJson(new Node { Value = "" }, body[next..], escape);
        return node with { Arguments = [body[..separator], .. command.Arguments], IsJson = command.IsJson };
    }

    private static Node NameOrNameValue(Node node, string body, char escape)
    {
        var words = Words(body, escape);
        return words.Count == 0 ? node : node with { Arguments = words };
    }

    private static List<string> Words(string body, char escape) => InstructionBodyGrammar.For(escape).SplitWords(body);

    // ENV and LABEL: key/value/separator triples; the legacy "KEY value" form has an empty separator.
    private static Node NameValue(Node node, string body, char escape, string keyword)
    {
        var words = Words(body, escape);
        if (words.Count == 0)
            return node;
        if (!words[0].Contains('='))
        {
            var keyEnd = 0;
            while (keyEnd < body.Length && !IsTokenSpace(body[keyEnd]))
                keyEnd++;
            var valueStart = keyEnd;
            while (valueStart < body.Length && IsTokenSpace(body[valueStart]))
                valueStart++;
            if (keyEnd == body.Length)
                throw new ParseError($"{keyword} must have two arguments");
            return node with { Arguments = [body[..keyEnd], body[valueStart..], ""] };
        }
        var arguments = new List<string>(words.Count * 3);
        foreach (var word in words)
        {
            var equals = word.IndexOf('=');
            if (equals < 0)
                throw new ParseError($"Syntax error - can't find = in \"{word}\". Must be of the form: name=value");
            arguments.Add(word[..equals]);
            arguments.Add(word[(equals + 1)..]);
            arguments.Add("=");
        }
        return node with { Arguments = arguments };
    }
}
