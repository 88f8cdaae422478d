using System.Text.Json.Serialization;

namespace Ashlar.Parser.Instructions;

/// <summary><c>ADD [--chown --chmod --link --keep-git-dir --checksum --exclude --unpack] src... dest</c>.</summary>
/// <param name="Sources">Source paths or URLs as written (heredoc sources are in <paramref name="InlineSources"/>).</param>
/// <param name="InlineSources">Sources given as heredocs.</param>
/// <param name="Destination">The destination path as written.</param>
/// <param name="Chown">The <c>--chown</c> value, or null.</param>
/// <param name="Chmod">The <c>--chmod</c> value, or null.</param>
/// <param name="Link">True with <c>--link</c>.</param>
/// <param name="KeepGitDir">True with <c>--keep-git-dir</c> (git sources).</param>
/// <param name="Checksum">The <c>--checksum</c> digest, or null.</param>
/// <param name="Excludes">Every <c>--exclude</c> pattern.</param>
/// <param name="Unpack">The <c>--unpack</c> value; null when not given (archives from the context are unpacked, URLs are not).</param>
public sealed record AddInstruction(
    IReadOnlyList<string> Sources,
    IReadOnlyList<InlineSource> InlineSources,
    string Destination,
    string? Chown,
    string? Chmod,
    bool Link,
    bool KeepGitDir,
    string? Checksum,
    IReadOnlyList<string> Excludes,
    bool? Unpack) : Instruction
{
    [JsonIgnore]
    public override string Keyword => "ADD";
    [JsonIgnore]
    public override bool ExpandsVariables => true;
}
