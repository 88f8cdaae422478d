using Ashlar.Parser.Instructions;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// One COPY or ADD after variable expansion: what to copy and how. Build it with <see cref="FromCopy"/> /
/// <see cref="FromAdd"/> or by hand; <see cref="CopyOperation.PrepareAsync"/> turns it into a <see cref="CopyPlan"/>.
/// </summary>
public sealed record CopySpec
{
    /// <summary>Source paths (wildcards allowed), and for ADD URLs and git references.</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>Heredoc sources: file name and content (already expanded when the delimiter was unquoted).</summary>
    public IReadOnlyList<InlineSource> InlineSources { get; init; } = [];

    /// <summary>The destination as written: a trailing <c>/</c> (or <c>.</c>) makes it a directory; relative is against <see cref="WorkingDirectory"/>.</summary>
    public required string Destination { get; init; }

    /// <summary>The stage's WORKDIR at this instruction.</summary>
    public string WorkingDirectory { get; init; } = "/";

    /// <summary><c>--chown</c>, or null.</summary>
    public string? Chown { get; init; }

    /// <summary><c>--chmod</c>, or null.</summary>
    public string? Chmod { get; init; }

    /// <summary><c>--parents</c>.</summary>
    public bool Parents { get; init; }

    /// <summary><c>--exclude</c> patterns.</summary>
    public IReadOnlyList<string> Excludes { get; init; } = [];

    /// <summary>True for ADD: local archives are extracted, URLs and git sources allowed.</summary>
    public bool IsAdd { get; init; }

    /// <summary>ADD <c>--unpack</c>: null is the default (local archives extracted, URLs not).</summary>
    public bool? Unpack { get; init; }

    /// <summary>ADD <c>--checksum</c> for a URL (<c>sha256:hex</c>), or null.</summary>
    public string? Checksum { get; init; }

    /// <summary>ADD <c>--keep-git-dir</c>.</summary>
    public bool KeepGitDir { get; init; }

    /// <summary>
    /// The commit each git source (by its text in <see cref="Sources"/>) was keyed by (<see cref="RemoteSourceKeys"/>):
    /// the clone checks that commit out rather than resolving the ref again.
    /// </summary>
    internal IReadOnlyDictionary<string, string> PinnedCommits { get; init; } = new Dictionary<string, string>();

    /// <summary>URLs (by their text in <see cref="Sources"/>) already downloaded to key the step: copied from, not fetched again.</summary>
    internal IReadOnlyDictionary<string, UrlDownload> PrefetchedUrls { get; init; } = new Dictionary<string, UrlDownload>();

    /// <summary>URLs keyed by the content a conditional request said is unchanged: a download must have that digest.</summary>
    internal IReadOnlyDictionary<string, Ashlar.Images.Content.Digest> ExpectedUrlContent { get; init; } = new Dictionary<string, Ashlar.Images.Content.Digest>();

    /// <summary>
    /// Modification time for what the copy creates itself (missing destination directories, heredoc files):
    /// SOURCE_DATE_EPOCH when set; null means now.
    /// </summary>
    public DateTimeOffset? CreatedTime { get; init; }

    /// <summary>A spec from a typed COPY; <paramref name="expand"/> expands variables in each word.</summary>
    public static CopySpec FromCopy(CopyInstruction copy, Func<string, string> expand, string workingDirectory) => new()
    {
        Sources = copy.Sources.Select(expand).ToList(),
        InlineSources = copy.InlineSources.Select(s => s.Expand ? s with { Data = expand(s.Data) } : s).ToList(),
        Destination = expand(copy.Destination),
        WorkingDirectory = workingDirectory,
        Chown = copy.Chown is null ? null : expand(copy.Chown),
        Chmod = copy.Chmod is null ? null : expand(copy.Chmod),
        Parents = copy.Parents,
        Excludes = copy.Excludes.Select(expand).ToList(),
    };

    /// <summary>A spec from a typed ADD; <paramref name="expand"/> expands variables in each word.</summary>
    public static CopySpec FromAdd(AddInstruction add, Func<string, string> expand, string workingDirectory) => new()
    {
        Sources = add.Sources.Select(expand).ToList(),
        InlineSources = add.InlineSources.Select(s => s.Expand ? s with { Data = expand(s.Data) } : s).ToList(),
        Destination = expand(add.Destination),
        WorkingDirectory = workingDirectory,
        Chown = add.Chown is null ? null : expand(add.Chown),
        Chmod = add.Chmod is null ? null : expand(add.Chmod),
        Excludes = add.Excludes.Select(expand).ToList(),
        IsAdd = true,
        Unpack = add.Unpack,
        Checksum = add.Checksum is null ? null : expand(add.Checksum),
        KeepGitDir = add.KeepGitDir,
    };
}
