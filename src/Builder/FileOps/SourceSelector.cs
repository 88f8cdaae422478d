using Ashlar.Builder.Context;
using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// Turns COPY/ADD source paths into <see cref="CopyItem"/>s, the way BuildKit's dockerfile frontend and fsutil copy
/// do: wildcards are Go <c>filepath.Match</c> per path level (a wildcard that matches nothing copies nothing), the
/// source path itself follows symlinks inside the tree, a directory means its contents, <c>--exclude</c> patterns
/// (patternmatcher, <c>**</c> allowed) drop entries relative to each matched source, and <c>--parents</c> keeps the
/// path from the root or from a <c>/./</c> pivot. Ignored context paths do not exist.
/// </summary>
internal sealed class SourceSelector(SourceTree tree, IgnoreRules excludes, CancellationToken cancellationToken = default)
{
    public List<CopyItem> Select(string source, bool parents)
    {
        var items = new List<CopyItem>();
        if (parents) SelectWithParents(source, items);
        else SelectPlain(source, items);
        return items;
    }

    private void SelectPlain(string source, List<CopyItem> items)
    {
        var clean = ContextPath.Clean(source);
        if (!PathPattern.HasWildcards(clean))
        {
            var real = ResolveOrThrow(source, clean);
            if (clean.Length > 0 && excludes.IsIgnored(ContextPath.Name(clean))) return;
            items.Add(ItemFor(source, real, ContextPath.Name(clean), excludeBase: ""));
            return;
        }

        // Resolve the part before the first wildcard, then match the rest level by level below it.
        var parts = clean.Split('/');
        var fixedCount = Array.FindIndex(parts, p => PathPattern.HasWildcards(p));
        var basePath = string.Join('/', parts[..fixedCount]);
        var pattern = PathPattern.Glob(string.Join('/', parts[fixedCount..]));
        var depth = parts.Length - fixedCount;
        var realBase = tree.Resolve(basePath);
        if (realBase is null || IsIgnored(realBase) || !Directory.Exists(tree.FullPath(realBase))) return;

        foreach (var match in Walk(realBase, depth))
        {
            var relative = match.Length == realBase.Length ? "" : realBase.Length == 0 ? match : match[(realBase.Length + 1)..];
            if (!pattern.Matches(relative)) continue;
            if (excludes.IsIgnored(relative)) continue;
            var real = tree.Resolve(match); // a matched symlink is followed like a literal source
            if (real is null || IsIgnored(real)) continue;
            items.Add(ItemFor(source, real, ContextPath.Name(match), excludeBase: ""));
        }
    }

    // Paths below `start` exactly `depth` levels deep (a Go glob never crosses '/'), in lexical order, not
    // following symlinks, skipping ignored entries.
    private IEnumerable<string> Walk(string start, int depth)
    {
        foreach (var name in ListDirectory(tree.FullPath(start)))
        {
            var path = ContextPath.Join(start, name);
            if (IsIgnored(path) && (!IsDirectoryNoFollow(path) || tree.Ignore.CanSkipIgnoredDirectory(path))) continue;
            if (depth == 1)
            {
                if (!IsIgnored(path)) yield return path;
                continue;
            }
            if (!IsDirectoryNoFollow(path)) continue;
            foreach (var below in Walk(path, depth - 1)) yield return below;
        }
    }

    private CopyItem ItemFor(string source, string real, string name, string excludeBase)
    {
        var full = tree.FullPath(real);
        var top = SourceEntry.Stat(tree, full, real, "", overwritesMetadata: false);
        if (top.Type != SourceEntryType.Directory)
            return new CopyItem(source, CopyItemKind.Single, [top.WithTarget(name)]);
        var entries = new List<SourceEntry> { top };
        AddTree(real, "", entries, excludeBase);
        return new CopyItem(source, CopyItemKind.DirectoryContents, entries);
    }

    // Every entry below `real`, depth first in lexical order, each with its target path under `target`.
    private void AddTree(string real, string target, List<SourceEntry> entries, string excludeBase)
    {
        foreach (var name in ListDirectory(tree.FullPath(real)))
        {
            var path = ContextPath.Join(real, name);
            var childTarget = ContextPath.Join(target, name);
            var excludePath = ContextPath.Join(excludeBase, childTarget);
            var ignored = IsIgnored(path);
            var excluded = excludes.IsIgnored(excludePath);
            // One statx per entry says both what it is and everything the copy needs of it.
            var full = tree.FullPath(path);
            if (LibC.StatxAt(LibC.AT_FDCWD, full, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
                throw LibC.Failure($"stat {full}");
            var isDirectory = (st.Mode & LibC.S_IFMT) == LibC.S_IFDIR;
            if ((ignored || excluded) && !isDirectory) continue;
            if (ignored && tree.Ignore.CanSkipIgnoredDirectory(path)) continue;
            if (excluded && excludes.CanSkipIgnoredDirectory(excludePath)) continue;

            if ((st.Mode & LibC.S_IFMT) == LibC.S_IFSOCK) continue;
            var entry = SourceEntry.FromStatx(tree, full, path, childTarget, overwritesMetadata: true, st);
            if (!isDirectory)
            {
                entries.Add(entry);
                continue;
            }
            // An ignored/excluded directory walked only for re-included children appears only when one is there.
            var at = entries.Count;
            entries.Add(entry);
            AddTree(path, childTarget, entries, excludeBase);
            if ((ignored || excluded) && entries.Count == at + 1) entries.RemoveAt(at);
        }
    }

    private void SelectWithParents(string source, List<CopyItem> items)
    {
        // "a/./b/c": keep the path from the pivot "a"; without a pivot, from the root.
        var pivot = source.IndexOf("/./", StringComparison.Ordinal);
        var basePath = pivot < 0 ? "" : ContextPath.Clean(source[..pivot]);
        var patternText = ContextPath.Clean(pivot < 0 ? source : source[(pivot + 3)..]);
        var realBase = basePath.Length == 0 ? "" : ResolveOrThrow(source, basePath);

        if (!PathPattern.HasWildcards(patternText))
        {
            var realPath = tree.Resolve(ContextPath.Join(realBase, patternText), followFinal: false);
            if (realPath is null || IsIgnored(realPath)) ResolveOrThrow(source, ContextPath.Join(basePath, patternText));
        }

        var include = Ashlar.Parser.Ignore.DockerIgnore.FromPatterns([patternText]);
        var entries = new List<SourceEntry>();
        AddIncluded(realBase, "", include, patternText.Split('/'), entries);
        if (entries.Count > 0) items.Add(new CopyItem(source, CopyItemKind.Parents, entries));
    }

    // Walks below `real` for entries the include pattern matches (a matched directory brings everything under it);
    // directories on the way to a match are written too, with their own metadata.
    private void AddIncluded(string real, string target, Ashlar.Parser.Ignore.DockerIgnore include, string[] patternParts, List<SourceEntry> entries)
    {
        foreach (var name in ListDirectory(tree.FullPath(real)))
        {
            var path = ContextPath.Join(real, name);
            var childTarget = ContextPath.Join(target, name);
            var isDirectory = IsDirectoryNoFollow(path);
            if (IsIgnored(path) && (!isDirectory || tree.Ignore.CanSkipIgnoredDirectory(path))) continue;
            if (excludes.IsIgnored(childTarget) && (!isDirectory || excludes.CanSkipIgnoredDirectory(childTarget))) continue;

            if (include.IsExcluded(childTarget)) // "excluded" by the include pattern: it is selected
            {
                if (IsIgnored(path) || excludes.IsIgnored(childTarget)) continue;
                if (!isDirectory && SourceEntry.IsSocket(tree.FullPath(path))) continue;
                var entry = SourceEntry.Stat(tree, tree.FullPath(path), path, childTarget, overwritesMetadata: false);
                entries.Add(entry);
                if (isDirectory) AddTree(path, childTarget, entries, "");
                continue;
            }
            if (!isDirectory || !CouldMatchBelow(childTarget, patternParts)) continue;
            var at = entries.Count;
            entries.Add(SourceEntry.Stat(tree, tree.FullPath(path), path, childTarget, overwritesMetadata: false));
            AddIncluded(path, childTarget, include, patternParts, entries);
            if (entries.Count == at + 1) entries.RemoveAt(at); // nothing matched under it
        }
    }

    // Whether a directory's path is a prefix that the pattern can still continue from.
    private static bool CouldMatchBelow(string directory, string[] patternParts)
    {
        var parts = directory.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            if (i >= patternParts.Length) return false;
            if (patternParts[i].Contains("**", StringComparison.Ordinal)) return true;
            if (!PathPattern.Glob(patternParts[i]).Matches(parts[i])) return false;
        }
        return parts.Length < patternParts.Length;
    }

    private string ResolveOrThrow(string source, string clean)
    {
        var real = tree.Resolve(clean);
        if (real is not null && !IsIgnored(real) && !IsIgnored(clean)) return real;
        // An ignored directory that a !pattern re-includes something under is still there, holding just that.
        if (real is not null && IsDirectoryNoFollow(real) && !tree.Ignore.CanSkipIgnoredDirectory(real) && !tree.Ignore.CanSkipIgnoredDirectory(clean))
            return real;
        var ignoredBy = tree.Ignore.IgnoringPattern(clean) ?? (real is null ? null : tree.Ignore.IgnoringPattern(real));
        if (ignoredBy is not null)
            throw new SourceNotFoundException(source, tree.Description,
                $"\"{source}\" is excluded from the {tree.Description} by {tree.Ignore.Origin} (pattern \"{ignoredBy}\")", excluded: true);
        var note = tree.Ignore.IsEmpty ? "" : $" (it is not excluded by {tree.Ignore.Origin})";
        throw new SourceNotFoundException(source, tree.Description, $"\"{source}\" not found in the {tree.Description}{note}", excluded: false);
    }

    private bool IsIgnored(string path) => !tree.Ignore.IsEmpty && tree.Ignore.IsIgnored(path);

    private bool IsDirectoryNoFollow(string path) =>
        File.GetAttributes(tree.FullPath(path)) is var a && (a & FileAttributes.Directory) != 0 && (a & FileAttributes.ReparsePoint) == 0;

    private IEnumerable<string> ListDirectory(string fullPath)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var names = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(fullPath))
            names.Add(Path.GetFileName(entry));
        names.Sort(StringComparer.Ordinal);
        return names;
    }
}
