using Ashlar.Builder.Context;
using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// The entry point for COPY and ADD: <see cref="PrepareAsync"/> selects every source (local paths, heredocs, URLs,
/// git) into a <see cref="CopyPlan"/> that can be hashed for the cache and then applied to a rootfs or, for
/// <c>--link</c>, to an empty layer directory.
/// </summary>
public static class CopyOperation
{
    /// <summary>
    /// Selects the sources of <paramref name="spec"/> from <paramref name="source"/> (the build context, or a stage's
    /// rootfs for <c>COPY --from</c>). Downloads URLs and clones git sources into a scratch directory that the plan
    /// deletes when disposed. Throws <see cref="SourceNotFoundException"/> for a missing source (saying when
    /// .dockerignore excluded it), <see cref="FormatException"/> for a bad <c>--chown</c>/<c>--chmod</c>/source
    /// wildcard, <see cref="Ashlar.Parser.ParseError"/> for a bad <c>--exclude</c> pattern.
    /// </summary>
    /// <param name="spec">The instruction, expanded.</param>
    /// <param name="source">Where local sources come from.</param>
    /// <param name="httpClient">Client for ADD URLs (null: a shared default client).</param>
    /// <param name="cancellationToken">Stops downloads, clones and walks.</param>
    public static async Task<CopyPlan> PrepareAsync(CopySpec spec, SourceTree source, HttpClient? httpClient = null, CancellationToken cancellationToken = default)
    {
        var chown = spec.Chown is null ? null : OwnerSpec.Parse(spec.Chown);
        var chmod = spec.Chmod is null ? null : ModeSpec.Parse(spec.Chmod);
        var excludes = IgnoreRules.FromPatterns(spec.Excludes);
        if (spec.Destination.Length == 0) throw new FormatException("COPY/ADD: the destination is empty");
        ValidateChecksum(spec);

        var items = new List<CopyItem>();
        var trees = new List<SourceTree>();
        string? scratch = null;
        var plan = new CopyPlan(spec, items, chown, chmod, () => scratch);
        try
        {
            var selector = new SourceSelector(source, excludes, cancellationToken);
            foreach (var raw in spec.Sources)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (GitSource.TryParse(raw, out var git))
                {
                    if (!spec.IsAdd) throw new FormatException($"COPY {raw}: source can't be a git ref for COPY (use ADD)");
                    scratch ??= CreateScratch();
                    var clone = Path.Combine(scratch, $"git{items.Count}");
                    var root = await git.FetchAsync(clone, spec.KeepGitDir, cancellationToken, spec.Checksum, spec.PinnedCommits.GetValueOrDefault(raw));
                    _ = LibC.FchmodAt(LibC.AT_FDCWD, root, 0x1ed, 0); // the clone's root lands as a new destination's mode
                    var tree = new SourceTree(root, $"git source {git}", keepsOwnership: false);
                    items.AddRange(new SourceSelector(tree, excludes, cancellationToken).Select("", parents: false).Select(i => i with { Source = raw }));
                    continue;
                }
                if (UrlSource.IsUrl(raw))
                {
                    if (!spec.IsAdd) throw new FormatException($"COPY {raw}: source can't be a URL for COPY (use ADD)");
                    scratch ??= CreateScratch();
                    var directory = Path.Combine(scratch, $"url{items.Count}");
                    Directory.CreateDirectory(directory);
                    var path = await DownloadAsync(spec, raw, directory, httpClient, cancellationToken);
                    var tree = new SourceTree(directory, $"download {raw}", keepsOwnership: false);
                    var item = new SourceSelector(tree, IgnoreRules.None).Select(Path.GetFileName(path), parents: false).Single() with { Source = raw };
                    // Remote files are not extracted unless --unpack says so.
                    items.Add(spec.Unpack == true && await ArchiveFormat.IsArchiveAsync(path, cancellationToken) ? item with { Kind = CopyItemKind.Archive } : item);
                    continue;
                }
                foreach (var item in selector.Select(raw, spec.Parents))
                {
                    var isArchive = spec.IsAdd && spec.Unpack != false && item is { Kind: CopyItemKind.Single, Entries: [{ Type: SourceEntryType.File } file] }
                                    && await ArchiveFormat.IsArchiveAsync(file.FullPath!, cancellationToken);
                    items.Add(isArchive ? item with { Kind = CopyItemKind.Archive } : item);
                }
            }

            var created = spec.CreatedTime ?? DateTimeOffset.UtcNow;
            foreach (var inline in spec.InlineSources)
            {
                var name = ContextPath.Clean(inline.Path);
                var content = System.Text.Encoding.UTF8.GetBytes(inline.Data);
                var entry = new SourceEntry(null, null, name, SourceEntryType.File, 0x1a4 /* 0644 as BuildKit's Mkfile */, 0, 0, content.Length, null, created, content);
                items.Add(new CopyItem("<<" + inline.Path, CopyItemKind.Single, [entry]));
            }
            return plan;
        }
        catch
        {
            await plan.DisposeAsync();
            throw;
        }
    }

    // A URL the key already fetched is moved into place; one keyed by a "not modified" answer must still be that content.
    private static async Task<string> DownloadAsync(CopySpec spec, string url, string directory, HttpClient? httpClient, CancellationToken cancellationToken)
    {
        if (spec.PrefetchedUrls.TryGetValue(url, out var prefetched) && File.Exists(prefetched.Path))
        {
            var moved = Path.Combine(directory, Path.GetFileName(prefetched.Path));
            File.Move(prefetched.Path, moved);
            return moved;
        }
        if (spec.ExpectedUrlContent.TryGetValue(url, out var expected))
        {
            try
            {
                return (await UrlSource.DownloadAsync(url, expected.ToString(), directory, httpClient, cancellationToken)).Path;
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"ADD {url}: the server said it was not modified, then sent other content; build again", e);
            }
        }
        return (await UrlSource.DownloadAsync(url, spec.Checksum, directory, httpClient, cancellationToken)).Path;
    }

    /// <summary>BuildKit's checks and words for <c>--checksum</c>: an http(s) download's sha256, or a git source's commit.</summary>
    internal static void ValidateChecksum(CopySpec spec)
    {
        if (spec.Checksum is null) return;
        if (!spec.IsAdd) throw new FormatException("checksum can't be specified for COPY");
        if (spec.Sources.Count + spec.InlineSources.Count != 1) throw new FormatException("checksum can't be specified for multiple sources");
        if (spec.Sources.Count != 1 || !(UrlSource.IsUrl(spec.Sources[0]) || GitSource.TryParse(spec.Sources[0], out _)))
            throw new FormatException("checksum requires HTTP(S) or Git sources");
    }

    private static string CreateScratch() => Directory.CreateTempSubdirectory("ashlar-add-").FullName;
}
