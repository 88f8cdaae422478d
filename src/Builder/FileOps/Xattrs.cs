using Ashlar.Images.Native;

namespace Ashlar.Builder.FileOps;

internal static unsafe class Xattrs
{
    /// <summary>True when <paramref name="path"/> (never followed) has any extended attribute.</summary>
    public static bool Any(string path) => LibC.LListXattr(path, null, 0) > 0;
}
