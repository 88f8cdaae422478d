using Ashlar.Images.Native;

namespace Ashlar.Builder.Context;

/// <summary>
/// A directory that COPY/ADD read sources from: the build context, or the rootfs of another stage or image
/// (<c>COPY --from</c>). Every source path is resolved inside it as if it were "/": <c>..</c> stops at the root and
/// symlinks, absolute or relative, are followed within it (BuildKit's <c>fs.RootPath</c>), so no source leaves it.
/// </summary>
public class SourceTree
{
    private readonly string _realRoot;

    /// <summary>A tree over <paramref name="root"/>; <paramref name="description"/> names it in errors ("stage \"build\"").</summary>
    public SourceTree(string root, string description, IgnoreRules? ignore = null, ContextStatCache? statCache = null, bool keepsOwnership = true)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"{description}: directory \"{root}\" does not exist");
        Root = Path.GetFullPath(root);
        _realRoot = RealPath(Root);
        Description = description;
        Ignore = ignore ?? IgnoreRules.None;
        StatCache = statCache;
        KeepsOwnership = keepsOwnership;
    }

    /// <summary>A tree over another stage's or image's rootfs: ownership of its files is kept when copied.</summary>
    public static SourceTree FromDirectory(string root, string description) => new(root, description);

    /// <summary>The directory.</summary>
    public string Root { get; }

    /// <summary>What this tree is, for messages: "build context", "stage \"build\"".</summary>
    public string Description { get; }

    /// <summary>Paths that are not part of the tree (.dockerignore); empty for a rootfs.</summary>
    public IgnoreRules Ignore { get; }

    /// <summary>Digests of unchanged files are taken from here instead of being read again.</summary>
    public ContextStatCache? StatCache { get; }

    /// <summary>
    /// True when copied files keep their owner (a stage's rootfs); false for the build context, whose files always
    /// land as 0:0 unless <c>--chown</c> says otherwise.
    /// </summary>
    public bool KeepsOwnership { get; }

    internal string FullPath(string relative) => relative.Length == 0 ? _realRoot : _realRoot + "/" + relative;

    /// <summary>
    /// Resolves a clean relative path inside the tree, following every symlink (the final one too when
    /// <paramref name="followFinal"/>) within the root. Returns the real relative path, or null when nothing is there.
    /// </summary>
    internal string? Resolve(string relative, bool followFinal = true)
    {
        if (relative.Length == 0) return "";
        var (parent, name) = ContextPath.Split(relative);
        if (!followFinal)
        {
            var realParent = Resolve(parent);
            if (realParent is null) return null;
            var candidate = ContextPath.Join(realParent, name);
            return LibC.StatxAt(LibC.AT_FDCWD, FullPath(candidate), LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out _) == 0 ? candidate : null;
        }
        var rootFd = LibC.OpenAt(LibC.AT_FDCWD, _realRoot, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (rootFd < 0) throw LibC.Failure($"{Description}: opening {Root}");
        try
        {
            var fd = LibC.OpenAt2(rootFd, relative, LibC.O_PATH | LibC.O_CLOEXEC, LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
            if (fd < 0)
            {
                var errno = LibC.LastError;
                if (errno is LibC.ENOENT or LibC.ENOTDIR or LibC.ELOOP) return null;
                throw LibC.Failure($"{Description}: resolving \"{relative}\"", errno);
            }
            try
            {
                var real = RealPath($"/proc/self/fd/{fd}");
                if (real == _realRoot) return "";
                if (!real.StartsWith(_realRoot + "/", StringComparison.Ordinal))
                    throw new IOException($"{Description}: \"{relative}\" resolved outside the root ({real})");
                return real[(_realRoot.Length + 1)..];
            }
            finally { LibC.Close(fd); }
        }
        finally { LibC.Close(rootFd); }
    }

    private static string RealPath(string path) =>
        LibC.RealPath(path) ?? throw LibC.Failure($"resolving {path}");
}
