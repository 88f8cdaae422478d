namespace Ashlar.Images.Layers;

/// <summary>Names of tar entries, made relative and clean, refusing names that climb out of the root.</summary>
internal static class LayerPath
{
    /// <summary>
    /// <c>/a/./b//c/</c> is <c>a/b/c</c>; <c>a/../b</c> is <c>b</c>; the root is the empty string. A name whose
    /// <c>..</c> would leave the root is refused, as docker refuses it ("breakout").
    /// </summary>
    public static string Clean(string name, string what)
    {
        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part is "" or ".") continue;
            if (part == "..")
            {
                if (parts.Count == 0)
                    throw new InvalidDataException($"{what} \"{name}\" points outside the layer root; refusing it");
                parts.RemoveAt(parts.Count - 1);
                continue;
            }
            parts.Add(part);
        }
        return string.Join('/', parts);
    }

    public static (string Parent, string Name) Split(string cleanPath)
    {
        var slash = cleanPath.LastIndexOf('/');
        return slash < 0 ? ("", cleanPath) : (cleanPath[..slash], cleanPath[(slash + 1)..]);
    }
}
