using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>COPY [--from --chown --chmod --link --parents --exclude] src... dest</c>.</summary>
/// <param name="Sources">Source paths as written (heredoc sources are in <paramref name="InlineSources"/>).</param>
/// <param name="InlineSources">Sources given as heredocs.</param>
/// <param name="Destination">The destination path as written.</param>
/// <param name="From">The <c>--from</c> stage, image or context, or null for the build context.</param>
/// <param name="Chown">The <c>--chown</c> value, or null.</param>
/// <param name="Chmod">The <c>--chmod</c> value, or null.</param>
/// <param name="Link">True with <c>--link</c>.</param>
/// <param name="Parents">True with <c>--parents</c>: keep the source's parent directories.</param>
/// <param name="Excludes">Every <c>--exclude</c> pattern.</param>
public sealed record CopyInstruction(
    IReadOnlyList<string> Sources,
    IReadOnlyList<InlineSource> InlineSources,
    string Destination,
    string? From,
    string? Chown,
    string? Chmod,
    bool Link,
    bool Parents,
    IReadOnlyList<string> Excludes) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "COPY";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
