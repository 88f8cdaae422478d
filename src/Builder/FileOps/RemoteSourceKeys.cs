using System.Text;
using Ashlar.Images.Content;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// ADD's remote sources, keyed as BuildKit keys them: a git source by the commit its ref names now (<c>git ls-remote</c>)
/// with its subdirectory and whether <c>.git</c> is kept, a URL with <c>--checksum</c> by that checksum, both before
/// anything is fetched; a URL without one by its content, which a conditional request to the server can vouch for
/// (<see cref="UrlValidators"/>), else it is downloaded now and the copy uses that download. A hit clones nothing and
/// downloads nothing it need not; a miss fetches exactly what was keyed.
/// </summary>
/// <param name="KeyedSpec">The spec without the remote sources: what is selected and hashed before the lookup.</param>
/// <param name="FetchSpec">The whole spec, pinned to what the key describes (commits, contents, downloads): what a miss copies.</param>
/// <param name="Inputs">One key input per remote source: its text in the instruction and what it stands for.</param>
/// <param name="Scratch">Where URLs downloaded for the key wait for the copy, or null; deleted on dispose.</param>
internal sealed record RemoteSourceKeys(CopySpec KeyedSpec, CopySpec FetchSpec, IReadOnlyList<(string Source, Digest Key)> Inputs, string? Scratch)
    : IAsyncDisposable
{
    /// <summary>Whether some source is keyed without being fetched (then a miss must prepare <see cref="FetchSpec"/>).</summary>
    public bool Any => Inputs.Count > 0;

    /// <summary>Deletes the downloads made for the key that the copy did not take.</summary>
    public ValueTask DisposeAsync()
    {
        if (Scratch is not null)
        {
            try { Directory.Delete(Scratch, recursive: true); }
            catch (DirectoryNotFoundException) { }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Resolves what <paramref name="spec"/>'s remote sources are keyed by: one <c>ls-remote</c> per git source, nothing
    /// at all for a checksummed URL. Throws <see cref="FormatException"/> for a bad checksum or git query,
    /// <see cref="InvalidDataException"/> when the resolved commit contradicts <c>--checksum</c>, <see cref="IOException"/>
    /// when the remote or ref cannot be found.
    /// </summary>
    /// <param name="spec">The ADD (anything else has no remote sources).</param>
    /// <param name="validators">The store's URL validators; null keeps URLs without a checksum with the local sources.</param>
    /// <param name="cancellationToken">Stops ls-remote and downloads.</param>
    public static async Task<RemoteSourceKeys> ResolveAsync(CopySpec spec, UrlValidators? validators, CancellationToken cancellationToken)
    {
        if (!spec.IsAdd) return new RemoteSourceKeys(spec, spec, [], null);
        if (spec.Destination.Length == 0) throw new FormatException("COPY/ADD: the destination is empty");
        CopyOperation.ValidateChecksum(spec);
        var local = new List<string>();
        var inputs = new List<(string, Digest)>();
        var pinned = new Dictionary<string, string>(StringComparer.Ordinal);
        var prefetched = new Dictionary<string, UrlDownload>(StringComparer.Ordinal);
        var expected = new Dictionary<string, Digest>(StringComparer.Ordinal);
        string? scratch = null;
        foreach (var raw in spec.Sources)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (GitSource.TryParse(raw, out var git))
            {
                var commit = await git.ResolveCommitAsync(cancellationToken);
                // A full commit id settles --checksum now; an abbreviated one is checked once it is checked out.
                foreach (var pin in new[] { spec.Checksum, git.Checksum })
                    if (pin is not null && commit.Length is 40 or 64) git.CheckChecksum(pin, commit);
                pinned[raw] = commit;
                inputs.Add((raw, Describe($"git {git.Remote}\ncommit {commit}\nsubdir {git.Subdirectory}\nkeep-git-dir {spec.KeepGitDir || git.KeepGitDirectory}\nsubmodules {git.Submodules}")));
            }
            else if (UrlSource.IsUrl(raw) && spec.Checksum is { } checksum)
            {
                // The checksum is the content; the file's name (the URL's last segment) is the rest of what lands.
                inputs.Add((raw, Describe($"url {UrlSource.FileNameOf(raw)}\ncontent {UrlSource.ParseChecksum(checksum)}")));
            }
            else if (UrlSource.IsUrl(raw) && validators is not null)
            {
                var client = UrlSource.DefaultClient;
                Digest content;
                if (validators.TryLoad(raw) is { } recorded && await UrlValidators.IsUnchangedAsync(raw, recorded, client, cancellationToken))
                {
                    content = recorded.Content;
                    expected[raw] = content;
                }
                else
                {
                    scratch ??= Directory.CreateTempSubdirectory("ashlar-url-").FullName;
                    var directory = Directory.CreateDirectory(Path.Combine(scratch, $"url{prefetched.Count}")).FullName;
                    try
                    {
                        var download = await UrlSource.DownloadAsync(raw, null, directory, client, cancellationToken);
                        validators.Save(raw, download);
                        prefetched[raw] = download;
                        content = download.Content;
                    }
                    catch
                    {
                        Directory.Delete(scratch, recursive: true);
                        throw;
                    }
                }
                inputs.Add((raw, Describe($"url {UrlSource.FileNameOf(raw)}\ncontent {content}")));
            }
            else
            {
                local.Add(raw);
            }
        }
        if (inputs.Count == 0) return new RemoteSourceKeys(spec, spec, [], null);
        // The checksum belongs to the one remote source, which the keyed spec no longer has.
        var keyed = spec with { Sources = local, Checksum = null };
        return new RemoteSourceKeys(keyed, spec with { PinnedCommits = pinned, PrefetchedUrls = prefetched, ExpectedUrlContent = expected }, inputs, scratch);
    }

    private static Digest Describe(string text) => Digest.Sha256(Encoding.UTF8.GetBytes(text));
}
