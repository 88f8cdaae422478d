using Ashlar.Cache.Records;
using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// An incremental COPY from the build context: the same step's earlier result on the same parent (the closest key of a
/// miss) is still a committed snapshot, and every file whose content digest is unchanged since then (as that key
/// recorded it) can be taken from that layer at the same path. The context itself is never linked: a user may edit it.
/// </summary>
/// <param name="layerDirectory">The earlier result's layer directory.</param>
/// <param name="previousFiles">The files the earlier key was folded from.</param>
internal sealed class PreviousResultLinkOrigin(string layerDirectory, IReadOnlyList<SourceFile> previousFiles) : LinkOrigin
{
    private readonly Dictionary<string, SourceFile> _previous = Index(previousFiles);

    public override async ValueTask<LinkCandidate?> LocateAsync(SourceEntry entry, string destinationPath, CancellationToken cancellationToken)
    {
        if (entry.SourcePath is not { } source || entry.FullPath is not { } full || destinationPath.Length == 0) return null;
        if (!_previous.TryGetValue(source, out var before) || before.Type != nameof(SourceEntryType.File) || before.Content is null) return null;
        if (await entry.GetContentDigestAsync(cancellationToken) is not { } digest || digest.ToString() != before.Content) return null;
        // The copy would carry the source's extended attributes over: only a file without any matches a bare link.
        if (Xattrs.Any(full)) return null;
        return new LinkCandidate(layerDirectory + "/" + destinationPath, 0);
    }

    private static Dictionary<string, SourceFile> Index(IReadOnlyList<SourceFile> files)
    {
        var index = new Dictionary<string, SourceFile>(StringComparer.Ordinal);
        foreach (var file in files) index.TryAdd(file.Path, file);
        return index;
    }
}
