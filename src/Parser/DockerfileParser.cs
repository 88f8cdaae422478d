using Ashlar.Parser.Instructions;
using Ashlar.Parser.Syntax;

namespace Ashlar.Parser;

/// <summary>
/// Parses Dockerfiles the way BuildKit does, in two layers: <see cref="ParseSyntax"/> gives the raw syntax tree
/// (what BuildKit's parser tests dump), <see cref="Parse"/> the typed instructions grouped into stages.
/// Every rejected input raises <see cref="ParseError"/>; no other exception leaves these methods.
/// </summary>
public static class DockerfileParser
{
    /// <summary>Parses a Dockerfile into typed instructions grouped into stages.</summary>
    /// <param name="text">The file's content (a leading BOM is ignored; CRLF and LF both work).</param>
    /// <param name="fileName">The name used in error messages.</param>
    /// <exception cref="ParseError">The file is not a valid Dockerfile.</exception>
    public static Dockerfile Parse(string text, string fileName = "Dockerfile") =>
        Guard(fileName, () => Assemble(LineScanner.Scan(text, fileName)));

    /// <summary>Parses a Dockerfile into its raw syntax tree (no instruction semantics; see <see cref="SyntaxTree.Dump"/>).</summary>
    /// <exception cref="ParseError">The file is rejected by the line parser (for example no instructions, or a bad JSON array).</exception>
    public static SyntaxTree ParseSyntax(string text, string fileName = "Dockerfile") =>
        Guard(fileName, () => LineScanner.Scan(text, fileName));

    /// <summary>Reads and parses a Dockerfile from disk.</summary>
    /// <exception cref="ParseError">The file is not a valid Dockerfile.</exception>
    public static async Task<Dockerfile> ParseFileAsync(string path, CancellationToken cancellationToken = default)
    {
        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text, path);
    }

    /// <summary>Turns one raw node into its typed instruction.</summary>
    /// <exception cref="ParseError">The instruction is invalid.</exception>
    public static Instruction ParseInstruction(Node node, string fileName = "Dockerfile") =>
        Guard(fileName, () => Located(node, fileName, () => InstructionParser.Parse(node)));

    private static Dockerfile Assemble(SyntaxTree tree)
    {
        var globalArgs = new List<ArgInstruction>();
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        FromInstruction? from = null;
        var names = new HashSet<string>(StringComparer.Ordinal);

        void Close()
        {
            if (from is not null)
                stages.Add(new Stage(stages.Count, from.StageName, from.Image, from.Platform, from, current!));
        }

        foreach (var node in tree.Nodes)
        {
            var instruction = Located(node, tree.FileName, () => InstructionParser.Parse(node));
            switch (instruction)
            {
                case FromInstruction fromInstruction:
                    if (fromInstruction.StageName is { } name && !names.Add(name))
                        throw Locate(new ParseError($"duplicate stage name \"{name}\"", hint: "give each stage its own name"),
                            node, tree.FileName);
                    Close();
                    from = fromInstruction;
                    current = [];
                    break;
                case ArgInstruction arg when current is null:
                    globalArgs.Add(arg);
                    break;
                default:
                    if (current is null)
                        throw Locate(new ParseError("no build stage in current context",
                            hint: $"{instruction.Keyword} must come after a FROM (only ARG may come before the first FROM)"), node, tree.FileName);
                    current.Add(instruction);
                    break;
            }
        }
        Close();
        if (stages.Count == 0)
        {
            var last = tree.Nodes[^1];
            throw new ParseError("no FROM instruction: a Dockerfile needs at least one stage", tree.FileName, last.EndLine, 1,
                hint: "add FROM <image>");
        }
        return new Dockerfile
        {
            FileName = tree.FileName,
            Directives = tree.Directives,
            EscapeToken = tree.EscapeToken,
            GlobalArgs = globalArgs,
            Stages = stages,
            Warnings = tree.Warnings,
        };
    }

    private static T Located<T>(Node node, string fileName, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (ParseError error) when (error.File is null)
        {
            throw Locate(error, node, fileName);
        }
    }

    private static ParseError Locate(ParseError error, Node node, string fileName)
    {
        var column = node.Range.Start.Column;
        if (error.Text is { Length: > 0 } text)
        {
            var index = node.Original.IndexOf(text, StringComparison.Ordinal);
            if (index >= 0 && index < node.FirstLineLength)
                column += index;
        }
        return error.WithLocation(fileName, node.StartLine, column, node.Original);
    }

    // The guarantee that only ParseError escapes: anything else is a parser bug, reported as a ParseError that says so.
    private static T Guard<T>(string fileName, Func<T> parse)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        try
        {
            return parse();
        }
        catch (ParseError)
        {
            throw;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            throw new ParseError($"internal parser error: {error.GetType().Name}: {error.Message}", fileName,
                hint: "this is a bug in Ashlar's parser; please report it with the Dockerfile");
        }
    }
}
