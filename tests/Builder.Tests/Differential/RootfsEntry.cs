using System.Globalization;

namespace Ashlar.Builder.Tests.Differential;

/// <summary>One path of a flattened image rootfs, with everything the comparison looks at.</summary>
internal sealed record RootfsEntry(string Path, char Type, int Mode, int Uid, int Gid, long Size, string? Digest, string? Link, string Xattrs, long Mtime)
{
    /// <summary>
    /// One line for the diff. <paramref name="withMtime"/>: only where the time is deterministic (see
    /// <see cref="ImageComparison"/>); a regular file's size and digest, a link's target, xattrs sorted.
    /// </summary>
    public string Describe(bool withMtime) =>
        $"{Path} {Type} {Convert.ToString(Mode, 8).PadLeft(4, '0')} {Uid}:{Gid}"
        + (Type is 'f' or 'h' ? $" size={Size} {Digest?[..19]}" : "")
        + (Link is null ? "" : $" -> {Link}")
        + (Xattrs.Length == 0 ? "" : $" xattrs[{Xattrs}]")
        + (withMtime ? $" mtime={DateTimeOffset.FromUnixTimeSeconds(Mtime).ToString("u", CultureInfo.InvariantCulture)}" : "");
}
