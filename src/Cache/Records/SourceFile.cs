namespace Ashlar.Cache.Records;

/// <summary>
/// One file a COPY/ADD key was folded from, as it will land in the image: kept per key so that a later miss can name
/// the file that changed (<c>src/pkg07/mod003.txt content changed</c>) instead of only the source.
/// </summary>
/// <param name="Path">The file's path in its source (e.g. the context), or the source as written for a heredoc or URL.</param>
/// <param name="Type">File, Directory, Symlink, ...</param>
/// <param name="Mode">The effective mode, octal (after <c>--chmod</c>).</param>
/// <param name="Owner">The effective owner (<c>--chown</c>, else what the file gets).</param>
/// <param name="LinkTarget">A symlink's target, else null.</param>
/// <param name="Content">A regular file's content digest, else null.</param>
public sealed record SourceFile(string Path, string Type, string Mode, string Owner, string? LinkTarget, string? Content);
