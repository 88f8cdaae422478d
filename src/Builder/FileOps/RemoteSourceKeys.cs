using System.Text;
using Ashlar.Images.Content;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// The ADD sources whose cache key is known before anything is fetched, as BuildKit keys them: a git source by the
/// commit its ref names now (<c>git ls-remote</c>) with its subdirectory and whether <c>.git</c> is kept, and a URL
/// with <c>--checksum</c> by that checksum. A hit then fetches nothing; a miss fetches exactly what was keyed.
/// URLs without a checksum stay with the local sources: their content is their key, so they are downloaded first.
/// </summary>
/// <param name="KeyedSpec">The spec without the remote sources: what is selected and hashed before the lookup.</param>
/// <param name="FetchSpec">The whole spec, git sources pinned to the commits they were keyed by: what a miss copies.</param>
/// <param name="Inputs">One key input per remote source: its text in the instruction and what it stands for.</param>
internal sealed record RemoteSourceKeys(CopySpec KeyedSpec, CopySpec FetchSpec, IReadOnlyList<(string Source, Digest Key)> Inputs)
{
    /// <summary>Whether some source is keyed without being fetched (then a miss must prepare <see cref="FetchSpec"/>).</summary>
    public bool Any => Inputs.Count > 0;

    /// <summary>
    /// Resolves what <paramref name="spec"/>'s remote sources are keyed by: one <c>ls-remote</c> per git source, nothing
    /// at all for a checksummed URL. Throws <see cref="FormatException"/> for a bad checksum or git query,
    /// <see cref="InvalidDataException"/> when the resolved commit contradicts <c>--checksum</c>, <see cref="IOException"/>
    /// when the remote or ref cannot be found.
    /// </summary>
    public static async Task<RemoteSourceKeys> ResolveAsync(CopySpec spec, CancellationToken cancellationToken)
    {
        if (!spec.IsAdd) return new RemoteSourceKeys(spec, spec, []);
        if (spec.Destination.Length == 0) throw new FormatException("COPY/ADD: the destination is empty");
        CopyOperation.ValidateChecksum(spec);
        var local = new List<string>();
        var inputs = new List<(string, Digest)>();
        var pinned = new Dictionary<string, string>(StringComparer.Ordinal);
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
            else
            {
                local.Add(raw);
            }
        }
        if (inputs.Count == 0) return new RemoteSourceKeys(spec, spec, []);
        // The checksum belongs to the one remote source, which the keyed spec no longer has.
        var keyed = spec with { Sources = local, Checksum = null };
        return new RemoteSourceKeys(keyed, spec with { PinnedCommits = pinned }, inputs);
    }

    private static Digest Describe(string text) => Digest.Sha256(Encoding.UTF8.GetBytes(text));
}
