using System.Runtime.InteropServices;

namespace Ashlar.Images.Native;

/// <summary>Extended attributes, never following a final symlink (the l*xattr calls).</summary>
internal static unsafe partial class LibC
{
    public const int XATTR_NOFOLLOW = 0;

    [LibraryImport(Lib, EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LSetXattr(string path, string name, byte* value, nuint size, int flags);

    [LibraryImport(Lib, EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LListXattr(string path, byte* list, nuint size);

    [LibraryImport(Lib, EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint LGetXattr(string path, string name, byte* value, nuint size);

    /// <summary>
    /// Every extended attribute of a path, sorted by name; empty when there are none or the filesystem has no
    /// support.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, byte[]>> ListXattrs(string path)
    {
        var size = LListXattr(path, null, 0);
        if (size <= 0) return [];
        var names = new byte[size];
        fixed (byte* p = names) size = LListXattr(path, p, (nuint)names.Length);
        if (size <= 0) return [];
        var result = new List<KeyValuePair<string, byte[]>>();
        foreach (var name in System.Text.Encoding.UTF8.GetString(names, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var valueSize = LGetXattr(path, name, null, 0);
            if (valueSize < 0) continue;
            var value = new byte[valueSize];
            if (valueSize > 0)
                fixed (byte* v = value) valueSize = LGetXattr(path, name, v, (nuint)value.Length);
            if (valueSize < 0) continue;
            result.Add(new(name, value[..(int)valueSize]));
        }
        result.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return result;
    }

    /// <summary>lsetxattr(2); returns 0 or -1 with errno set.</summary>
    public static int LSetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* v = value) return LSetXattr(path, name, v, (nuint)value.Length, 0);
    }

    /// <summary>Sets an extended attribute; throws naming the path and attribute when it cannot.</summary>
    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value)
    {
        if (LSetXattr(path, name, value) != 0)
            throw Failure($"setting xattr {name} on {path}");
    }
}
