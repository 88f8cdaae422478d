namespace Ashlar.Builder.Solving;

/// <summary>
/// Resolves a path inside a root as if the root were <c>/</c> (securejoin's rule): symlinks are followed but their
/// targets, absolute or with <c>..</c>, never leave the root. The last component is followed too unless asked not to.
/// </summary>
internal static class ScopedPath
{
    public static string Resolve(string root, string path, bool followLast = true)
    {
        var parts = new Stack<string>(path.Split('/').Where(p => p.Length > 0 && p != ".").Reverse());
        var resolved = new List<string>();
        var hops = 0;
        while (parts.Count > 0)
        {
            var part = parts.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1);
                continue;
            }
            var candidate = Path.Combine(root, string.Join('/', resolved.Append(part)));
            if ((parts.Count > 0 || followLast) && new FileInfo(candidate).LinkTarget is { } target)
            {
                if (++hops > 255)
                    throw new IOException($"too many levels of symbolic links resolving {path}");
                if (target.StartsWith('/')) resolved.Clear();
                foreach (var piece in target.Split('/').Where(p => p.Length > 0 && p != ".").Reverse())
                    parts.Push(piece);
                continue;
            }
            resolved.Add(part);
        }
        return resolved.Count == 0 ? root : Path.Combine(root, string.Join('/', resolved));
    }
}
