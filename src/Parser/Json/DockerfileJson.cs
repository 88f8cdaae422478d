using System.Text.Encodings.Web;
using System.Text.Json;
using Ashlar.Parser.Syntax;

namespace Ashlar.Parser.Json;

/// <summary>JSON form of the parsed trees (camelCase, enums as strings, nulls omitted); safe under NativeAOT.</summary>
public static class DockerfileJson
{
    // Readable output for people and snapshots: no \u003C for '<' in shell commands.
    private static readonly DockerfileJsonContext Context = new(new JsonSerializerOptions(DockerfileJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The typed AST: directives, global ARGs and stages with their instructions.</summary>
    public static string Serialize(Dockerfile dockerfile) => JsonSerializer.Serialize(dockerfile, Context.Dockerfile);

    /// <summary>The raw syntax tree.</summary>
    public static string Serialize(SyntaxTree tree) => JsonSerializer.Serialize(tree, Context.SyntaxTree);
}
