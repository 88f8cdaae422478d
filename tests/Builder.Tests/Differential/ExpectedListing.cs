namespace Ashlar.Builder.Tests.Differential;

/// <summary>
/// The text form of an image that an <c>expected.txt</c> holds, for cases no BuildKit here can build: the paths
/// outside the busybox base (/bin, /etc/passwd, /etc/group stay out), then the config fields that are set, then history.
/// </summary>
internal static class ExpectedListing
{
    public static string[] Of(SavedImage image)
    {
        var lines = new List<string>();
        foreach (var (path, entry) in image.Files)
        {
            if (path is "/bin" or "/etc" or "/etc/passwd" or "/etc/group" or "/tmp" or "/root" or "/home" or "/home/app"
                || path.StartsWith("/bin/", StringComparison.Ordinal)) continue;
            // Times of files a build wrote are its clock's; only the context's fixed time is stable enough to keep.
            lines.Add(entry.Describe(withMtime: entry.Type != 'd' && entry.Mtime == new DateTimeOffset(DifferentialCase.ContextTime).ToUnixTimeSeconds()));
        }
        foreach (var field in SavedImage.ConfigFields)
            if (image.Config[field] != "null")
                lines.Add($"config {field} {image.Config[field]}");
        // One line per entry: a heredoc's newlines are written as \n.
        lines.AddRange(image.History.Skip(1).Select(h => $"history {h.Replace("\n", "\\n")}"));
        return [.. lines];
    }
}
