namespace Ashlar.Builder.Context;

/// <summary>Slash-separated paths relative to a source root (the context or another stage's rootfs).</summary>
internal static class ContextPath
{
    /// <summary>
    /// Cleans a path lexically and makes it relative to the root, the way BuildKit normalises sources against "/":
    /// <c>/a/./b//c/</c> is <c>a/b/c</c>, <c>../../x</c> is <c>x</c> (<c>..</c> stops at the root, it never leaves it),
    /// and the root itself is the empty string.
    /// </summary>
    public static string Clean(string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count > 0) parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static string Join(string parent, string name) => parent.Length == 0 ? name : name.Length == 0 ? parent : parent + "/" + name;

    public static (string Parent, string Name) Split(string cleanPath)
    {
        var slash = cleanPath.LastIndexOf('/');
        return slash < 0 ? ("", cleanPath) : (cleanPath[..slash], cleanPath[(slash + 1)..]);
    }

    /// <summary>The base name of a clean path ("" for the root).</summary>
    public static string Name(string cleanPath) => Split(cleanPath).Name;
}
