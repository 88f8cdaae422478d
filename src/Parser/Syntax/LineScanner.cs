using System.Text;
using Ashlar.Parser.Shell;

namespace Ashlar.Parser.Syntax;

/// <summary>
/// Splits a Dockerfile into logical lines and builds the raw <see cref="SyntaxTree"/>, following BuildKit's
/// <c>parser.Parse</c>: BOM, directives, comments, continuation lines, blank and comment lines inside continuations,
/// and heredoc bodies.
/// </summary>
/// <remarks>
/// This is a hand-written scanner rather than a Pidgin grammar on purpose: the rules are per physical line and
/// stateful (a directive can change the escape character for every following line, heredoc bodies are raw lines
/// read until a terminator that is only known after the instruction line is parsed), and this loop is the hot path
/// of every parse. Grammars take over once a logical line exists (see <see cref="LineParsers"/>).
/// </remarks>
internal sealed class LineScanner
{
    private static readonly ShellLexer HeredocLexer = new('\\') { RawQuotes = true, RawEscapes = true, SkipUnsetEnv = true };
    private static readonly Dictionary<string, string> NoEnvironment = new();

    private readonly string _text;
    private readonly string _fileName;
    private int _offset;
    private int _lineNumber;
    private char _escape = '\\';
    private bool _directivesDone;
    private readonly List<Directive> _directives = [];

    private LineScanner(string text, string fileName)
    {
        _text = text;
        _fileName = fileName;
    }

    public static SyntaxTree Scan(string text, string fileName) => new LineScanner(text, fileName).Scan();

    /// <summary>A physical line: its text without trailing CR/LF characters, and where it sits in the input.</summary>
    private readonly record struct PhysicalLine(string Content, int Start, int End);

    private bool TryReadLine(out PhysicalLine line)
    {
        if (_offset >= _text.Length)
        {
            line = default;
            return false;
        }
        var start = _offset;
        if (start == 0 && _text[0] == '\uFEFF')
            start = 1;
        var newline = _text.IndexOf('\n', start);
        var end = newline < 0 ? _text.Length : newline + 1;
        var contentEnd = end;
        while (contentEnd > start && _text[contentEnd - 1] is '\r' or '\n')
            contentEnd--;
        _offset = end;
        _lineNumber++;
        line = new PhysicalLine(_text[start..contentEnd], start, end);
        return true;
    }

    private SyntaxTree Scan()
    {
        var nodes = new List<Node>();
        var warnings = new List<string>();
        var comments = new List<string>();
        while (TryReadLine(out var physical))
        {
            var leading = CountLeadingWhitespace(physical.Content);
            var token = physical.Content[leading..];
            if (token.StartsWith('#'))
            {
                var comment = token[1..].Trim();
                if (comment.Length > 0)
                    comments.Add(comment);
                else
                    comments.Clear();
            }
            PossibleDirective(token);
            var startLine = _lineNumber;
            var processed = token.StartsWith('#') ? "" : token;
            var (line, endOfLine) = TrimContinuation(processed);
            if (endOfLine && line.Length == 0)
                continue;

            var lastLine = physical.Content;
            var firstLineLength = line.Length;
            var logical = new StringBuilder(line);
            var hasEmptyContinuationLine = false;
            while (!endOfLine && TryReadLine(out var continuation))
            {
                lastLine = continuation.Content;
                var trimmedStart = continuation.Content.TrimStart();
                if (trimmedStart.StartsWith('#'))
                    continue;
                if (trimmedStart.Length == 0)
                {
                    hasEmptyContinuationLine = true;
                    continue;
                }
                (var piece, endOfLine) = TrimContinuation(continuation.Content);
                logical.Append(piece);
            }
            var text = logical.ToString();
            if (hasEmptyContinuationLine)
                warnings.Add($"{_fileName}:{_lineNumber}: empty continuation line found in: {text}");

            Node node;
            try
            {
                node = LineParsers.FromLine(text, _escape);
            }
            catch (ParseError error)
            {
                throw error.WithLocation(_fileName, startLine, leading + 1, text);
            }

            if (LineParsers.CanContainHeredoc(node) && text.Contains("<<", StringComparison.Ordinal))
            {
                var heredocs = new List<Heredoc>();
                foreach (var marker in HeredocMarkers(text, startLine, leading))
                {
                    var body = new StringBuilder();
                    var terminated = false;
                    while (TryReadLine(out var bodyLine))
                    {
                        lastLine = bodyLine.Content;
                        var candidate = marker.Chomp ? bodyLine.Content.TrimStart('\t') : bodyLine.Content;
                        if (candidate == marker.Name)
                        {
                            terminated = true;
                            break;
                        }
                        body.Append(_text, bodyLine.Start, bodyLine.End - bodyLine.Start);
                    }
                    if (!terminated)
                        throw new ParseError("unterminated heredoc", _fileName, startLine, leading + 1, text,
                            $"add a line with only {marker.Name} to end it");
                    heredocs.Add(marker with { Content = body.ToString() });
                }
                node = node with { Heredocs = heredocs };
            }

            nodes.Add(node with
            {
                Comments = comments.Count == 0 ? [] : comments.ToList(),
                Range = new SourceRange(new SourcePosition(startLine, leading + 1), new SourcePosition(_lineNumber, lastLine.Length + 1)),
                FirstLineLength = firstLineLength,
            });
            comments.Clear();
        }

        if (nodes.Count == 0)
            throw new ParseError("file with no instructions", _fileName, Math.Max(_lineNumber, 1), 1,
                hint: "a Dockerfile needs at least a FROM instruction");

        return new SyntaxTree
        {
            FileName = _fileName,
            Nodes = nodes,
            Directives = _directives,
            EscapeToken = _escape,
            Warnings = warnings,
        };
    }

    private static int CountLeadingWhitespace(string line)
    {
        var count = 0;
        while (count < line.Length && char.IsWhiteSpace(line[count]))
            count++;
        return count;
    }

    private void PossibleDirective(string line)
    {
        if (_directivesDone)
            return;
        var match = DirectiveGrammar.Match(line);
        if (match is null)
        {
            _directivesDone = true;
            return;
        }
        var (key, value) = match.Value;
        var name = key.ToLowerInvariant();
        if (name is not ("syntax" or "escape" or "check"))
        {
            _directivesDone = true;
            return;
        }
        if (_directives.Any(d => d.Name == name))
            throw new ParseError($"only one {name} parser directive can be used", _fileName, _lineNumber, 1, line,
                "remove the repeated directive");
        if (name == "escape")
        {
            if (value is not ("`" or "\\"))
                throw new ParseError($"invalid escape token '{value}' does not match ` or \\", _fileName, _lineNumber, 1, line);
            _escape = value[0];
        }
        _directives.Add(new Directive(name, value, _lineNumber));
    }

    /// <summary>
    /// BuildKit's continuation rule: the escape character as the last non-blank character continues the line unless
    /// it is itself escaped (<c>([^E])E[ \t]*$|^E[ \t]*$</c>, replaced by the captured character).
    /// </summary>
    private (string Line, bool EndOfLine) TrimContinuation(string line)
    {
        var end = line.Length;
        while (end > 0 && line[end - 1] is ' ' or '\t')
            end--;
        if (end == 0 || line[end - 1] != _escape)
            return (line, true);
        if (end == 1)
            return ("", false);
        if (line[end - 2] == _escape)
            return (line, true);
        return (line[..(end - 1)], false);
    }

    private IEnumerable<Heredoc> HeredocMarkers(string line, int startLine, int leading)
    {
        IReadOnlyList<string> words;
        try
        {
            words = HeredocLexer.ProcessWords(line, NoEnvironment);
        }
        catch (ParseError)
        {
            // BuildKit ignores a line its lexer cannot split: it simply has no heredocs.
            yield break;
        }
        foreach (var word in words)
        {
            var marker = ParseMarker(word, startLine, leading, line);
            if (marker is not null)
                yield return marker;
        }
    }

    private Heredoc? ParseMarker(string word, int startLine, int leading, string line)
    {
        try
        {
            return HeredocMarker.TryParse(word);
        }
        catch (ParseError error)
        {
            throw error.WithLocation(_fileName, startLine, leading + 1, line);
        }
    }
}
