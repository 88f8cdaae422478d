using Ashlar.Images.Content;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// What the cache keys on for one entry of a COPY/ADD: where it lands and what it will be in the image (effective
/// mode and owner, symlink target, content digest), nothing that does not reach the image (source mtime, checkout
/// umask under <c>--chmod</c>). Two builds with equal fingerprints write the same files; a list of them lets
/// <c>--explain-cache</c> say which entry changed.
/// </summary>
/// <param name="Source">The source as written in the instruction (<c>src/</c>, <c>&lt;&lt;EOF</c>, a URL).</param>
/// <param name="Placement">How the source lands: DirectoryContents, Single, Parents or Archive (extracted).</param>
/// <param name="TargetPath">Relative to the destination directory ("" is the destination itself).</param>
/// <param name="Type">File, directory, symlink, ...</param>
/// <param name="Mode">Effective permission bits, octal (after <c>--chmod</c>).</param>
/// <param name="Owner">The <c>--chown</c> value when given, else the owner the entry gets (<c>0:0</c>, or the source's for a stage).</param>
/// <param name="LinkTarget">A symlink's target, else null.</param>
/// <param name="Content">A regular file's sha256, else null.</param>
public sealed record SourceFingerprint(string Source, string Placement, string TargetPath, SourceEntryType Type, string Mode, string Owner, string? LinkTarget, Digest? Content)
{
    /// <summary>One line of text, as hashed into the source digest.</summary>
    public override string ToString() =>
        $"{Placement} {Source} {Type} {TargetPath} {Mode} {Owner} {LinkTarget ?? "-"} {Content?.ToString() ?? "-"}";
}
