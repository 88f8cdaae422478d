using System.Security.Cryptography;
using System.Text;
using Ashlar.Builder.FileOps;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;

namespace Ashlar.Builder.Solving;

/// <summary>
/// The COPY/ADD part of a cache key: each source's selected files (after .dockerignore and --exclude) by content and
/// effective metadata (mode after --chmod, owner after --chown; never mtime or the checkout's umask), one named input
/// per source so a miss names it, and the per-file list remembered so it can name the file.
/// </summary>
internal static class CopyKeys
{
    /// <summary>Spec fields that change the result but are not part of the op's definition (ADD's --unpack, --checksum, --keep-git-dir).</summary>
    public static string? SpecExtras(CopySpec spec) =>
        spec.IsAdd ? $"unpack={spec.Unpack?.ToString() ?? "default"} checksum={spec.Checksum ?? "-"} keep-git-dir={spec.KeepGitDir}" : null;

    /// <summary>Adds one input per source (the digest of its files' fingerprints) and returns every file's fingerprint, in order.</summary>
    public static async Task<IReadOnlyList<SourceFile>> AddSourcesAsync(CacheKeyBuilder key, CopyPlan plan, CancellationToken cancellationToken)
    {
        var fingerprints = await plan.DescribeSourcesAsync(cancellationToken);
        var entries = plan.Entries;
        var files = new List<SourceFile>(fingerprints.Count);
        var bySource = new Dictionary<string, IncrementalHash>(StringComparer.Ordinal);
        var order = new List<string>();
        for (var i = 0; i < fingerprints.Count; i++)
        {
            var fingerprint = fingerprints[i];
            if (!bySource.TryGetValue(fingerprint.Source, out var hash))
            {
                bySource[fingerprint.Source] = hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                order.Add(fingerprint.Source);
            }
            hash.AppendData(Encoding.UTF8.GetBytes(fingerprint + "\n"));
            var path = i < entries.Count && entries[i].SourcePath is { } sourcePath ? sourcePath : JoinTarget(fingerprint.Source, fingerprint.TargetPath);
            files.Add(new SourceFile(path, fingerprint.Type.ToString(), fingerprint.Mode, fingerprint.Owner, fingerprint.LinkTarget, fingerprint.Content?.ToString()));
        }
        foreach (var source in order)
        {
            using var hash = bySource[source];
            key.AddFile(source, Digest.FromHash(hash.GetHashAndReset()));
        }
        return files;
    }

    /// <summary>Remembers the files <paramref name="key"/> was folded from (best effort: it only sharpens later explanations).</summary>
    public static async Task RememberSourcesAsync(LayerCache cache, CacheKey key, IReadOnlyList<SourceFile> files, CancellationToken cancellationToken)
    {
        try
        {
            await cache.PutSourcesAsync(key, files, cancellationToken);
        }
        catch (IOException) { }
    }

    /// <summary>
    /// For a COPY from the context that missed only because some files changed: the earlier result of
    /// <paramref name="closest"/> (same step, same parent) as a <see cref="LinkOrigin"/>, when its snapshot is still in
    /// the store (held by the build's lease from now on) and its files are remembered; else null.
    /// </summary>
    public static async Task<LinkOrigin?> PreviousResultAsync(BuildSession session, CacheKey closest, CancellationToken cancellationToken)
    {
        try
        {
            var chain = await session.Lease.GuardAsync(async () =>
            {
                var record = await session.Cache.Layers.TryGetAsync(closest, cancellationToken);
                if (record?.ChainId is { } name) session.Lease.HoldSnapshot(name);
                return record?.ChainId;
            }, cancellationToken);
            if (chain is null || session.Snapshots.Stat(chain) is not { Kind: Executor.Snapshots.SnapshotKind.Committed } snapshot) return null;
            var files = await session.Cache.Layers.GetSourcesAsync(closest, cancellationToken);
            return files is null ? null : new PreviousResultLinkOrigin(snapshot.Directory, files);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return null; // only a speed-up: the copy writes every file
        }
    }

    private static string JoinTarget(string source, string target) => target.Length == 0 ? source : source.TrimEnd('/') + "/" + target;
}
