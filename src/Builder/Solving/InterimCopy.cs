using System.IO.Enumeration;
using Ashlar.Builder.Graph;

namespace Ashlar.Builder.Solving;

/// <summary>
/// A minimal COPY/ADD until the fileops work (src/Builder/FileOps) lands: literal paths and <c>*</c>/<c>?</c> wildcards,
/// directory contents vs file, the trailing-slash rule, --chown (names from the target's /etc/passwd), octal
/// --chmod, heredoc sources. Sources never leave their root; the destination is resolved inside the rootfs.
/// Not here yet: .dockerignore, --exclude, --parents, ADD's archives/URLs/git, symbolic --chmod.
/// </summary>
internal static class InterimCopy
{
    public static async Task CopyAsync(string rootfs, CopyAction action, string? sourceRoot, string contextName, CancellationToken cancellationToken)
    {
        (int Uid, int Gid) owner = action.Chown is null ? (0, 0) : UserDatabase.Resolve(rootfs, action.Chown);
        UnixFileMode? mode = action.Chmod is null ? null : ParseMode(action.Chmod);
        var matches = new List<string>();
        foreach (var source in action.Sources)
        {
            var found = Match(sourceRoot!, source);
            if (found.Count == 0)
                throw new BuildException($"failed to compute cache key: \"/{source.TrimStart('/')}\": not found in {contextName}");
            matches.AddRange(found);
        }
        var destination = action.Destination;
        var toDirectory = action.DestinationIsDirectory || matches.Count + action.Inline.Count > 1;
        var target = ScopedPath.Resolve(rootfs, destination);
        if (toDirectory || (matches.Count == 1 && Directory.Exists(matches[0]) && !IsSymlink(matches[0])))
            EnsureDirectory(rootfs, destination, owner);
        else
            EnsureDirectory(rootfs, Path.GetDirectoryName(destination.TrimEnd('/')) ?? "/", owner);

        foreach (var match in matches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Directory.Exists(match) && !IsSymlink(match))
                CopyTree(match, target, owner, mode);
            else
                CopyEntry(match, toDirectory || Directory.Exists(target) ? Path.Combine(target, Path.GetFileName(match)) : target, owner, mode);
        }
        foreach (var (name, content) in action.Inline)
        {
            var path = toDirectory || Directory.Exists(target) ? Path.Combine(target, name) : target;
            await File.WriteAllTextAsync(path, content, cancellationToken);
            File.SetUnixFileMode(path, mode ?? (UnixFileMode)Convert.ToInt32("644", 8));
            File.SetUnixFileMode(path, mode ?? (UnixFileMode)Convert.ToInt32("644", 8));
            Chown(path, owner);
        }
    }

    private static List<string> Match(string root, string pattern)
    {
        var clean = pattern.TrimStart('/');
        if (clean.IndexOfAny(['*', '?', '[']) < 0)
        {
            var path = ScopedPath.Resolve(root, clean, followLast: false);
            return Path.Exists(path) || IsSymlink(path) ? [path] : [];
        }
        var results = new List<string> { root };
        foreach (var segment in clean.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<string>();
            foreach (var dir in results.Where(Directory.Exists))
                foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
                    if (FileSystemName.MatchesSimpleExpression(segment, Path.GetFileName(entry), ignoreCase: false))
                        next.Add(entry);
            results = next;
        }
        return results;
    }

    private static void EnsureDirectory(string rootfs, string path, (int Uid, int Gid) owner)
    {
        var current = "";
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            var resolved = ScopedPath.Resolve(rootfs, current);
            if (!Directory.Exists(resolved))
            {
                Directory.CreateDirectory(resolved);
                File.SetUnixFileMode(resolved, (UnixFileMode)Convert.ToInt32("755", 8));
                Chown(resolved, owner);
            }
        }
    }

    private static void CopyTree(string source, string target, (int Uid, int Gid) owner, UnixFileMode? mode)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(source).Order(StringComparer.Ordinal))
        {
            var destination = Path.Combine(target, Path.GetFileName(entry));
            if (Directory.Exists(entry) && !IsSymlink(entry))
            {
                if (!Directory.Exists(destination))
                    Directory.CreateDirectory(destination);
                File.SetUnixFileMode(destination, mode ?? File.GetUnixFileMode(entry));
                CopyTree(entry, destination, owner, mode);
                Directory.SetLastWriteTimeUtc(destination, Directory.GetLastWriteTimeUtc(entry));
                Chown(destination, owner);
            }
            else
            {
                CopyEntry(entry, destination, owner, mode);
            }
        }
    }

    private static void CopyEntry(string source, string destination, (int Uid, int Gid) owner, UnixFileMode? mode)
    {
        if (IsSymlink(destination) || File.Exists(destination)) File.Delete(destination);
        var info = new FileInfo(source);
        if (info.LinkTarget is { } link)
        {
            File.CreateSymbolicLink(destination, link);
            Chown(destination, owner, followLinks: false);
            return;
        }
        File.Copy(source, destination, overwrite: true);
        File.SetUnixFileMode(destination, mode ?? File.GetUnixFileMode(source));
        File.SetLastWriteTimeUtc(destination, info.LastWriteTimeUtc);
        Chown(destination, owner);
    }

    private static bool IsSymlink(string path) => new FileInfo(path).LinkTarget is not null;

    private static void Chown(string path, (int Uid, int Gid) owner, bool followLinks = true)
    {
        if (followLinks) Native.FileOwner.Change(path, owner.Uid, owner.Gid);
        else Native.FileOwner.ChangeLink(path, owner.Uid, owner.Gid);
    }

    private static UnixFileMode ParseMode(string chmod)
    {
        try
        {
            return (UnixFileMode)Convert.ToInt32(chmod, 8);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
        {
            throw new BuildException($"invalid --chmod={chmod}: only octal modes are supported yet");
        }
    }
}
