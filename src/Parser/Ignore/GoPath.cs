using System.Text;

namespace Ashlar.Parser.Ignore;

/// <summary>Go's <c>path/filepath.Clean</c> and <c>Dir</c> for slash-separated paths, which Docker's pattern matcher relies on.</summary>
internal static class GoPath
{
    public static string Clean(string path)
    {
        if (path.Length == 0)
            return ".";
        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
                continue;
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                    parts.RemoveAt(parts.Count - 1);
                else if (!rooted)
                    parts.Add("..");
                continue;
            }
            parts.Add(part);
        }
        var cleaned = new StringBuilder();
        if (rooted)
            cleaned.Append('/');
        cleaned.AppendJoin('/', parts);
        return cleaned.Length == 0 ? "." : cleaned.ToString();
    }

    public static string Dir(string path)
    {
        var slash = path.LastIndexOf('/');
        return Clean(slash < 0 ? "" : path[..(slash + 1)]);
    }
}
