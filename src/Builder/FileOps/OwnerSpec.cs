using System.Globalization;
using Ashlar.Images.Native;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Builder.FileOps;

/// <summary>
/// A <c>--chown</c> value: <c>user</c>, <c>user:group</c>, <c>uid</c>, <c>uid:gid</c> (names and numbers mixed freely).
/// Names are looked up in the destination rootfs's /etc/passwd and /etc/group as BuildKit does: a user alone gives
/// that user's primary group; a numeric uid alone gives the same number as gid. Like BuildKit (not the legacy builder),
/// a name that is not there is no error: an unknown user is 0:0, an unknown group leaves the user's group, and an empty
/// group (<c>user:</c>) is gid 0.
/// </summary>
internal sealed record OwnerSpec(string User, string? Group)
{
    /// <summary>Parses a <c>--chown</c> value; throws <see cref="FormatException"/> naming it when empty.</summary>
    public static OwnerSpec Parse(string text)
    {
        var colon = text.IndexOf(':');
        var user = colon < 0 ? text : text[..colon];
        var group = colon < 0 ? null : text[(colon + 1)..];
        if (user.Length == 0)
            throw new FormatException($"--chown=\"{text}\": expected user, user:group, uid or uid:gid");
        return new OwnerSpec(user, group);
    }

    /// <summary>
    /// Whether a name must be looked up in /etc/passwd or /etc/group: anything but numbers and "root" (which BuildKit
    /// maps to 0 without a lookup, so it works with <c>--link</c> too).
    /// </summary>
    public bool NeedsLookup => IsName(User) || (Group is { Length: > 0 } group && IsName(group));

    private static bool IsName(string part) => part != "root" && !TryNumber(part, out _);

    /// <summary>The numeric owner, names resolved inside <paramref name="rootfs"/> (symlinks in it cannot lead out).</summary>
    public (uint Uid, uint Gid) Resolve(string rootfs)
    {
        uint uid = 0, gid = 0;
        if (TryNumber(User, out var numericUser))
        {
            uid = numericUser;
            gid = numericUser;
        }
        else if (User != "root" && ReadDatabase(rootfs, "etc/passwd").FirstOrDefault(f => f.Length >= 4 && f[0] == User) is { } entry)
        {
            uid = ParseId(entry[2], "passwd", User);
            gid = ParseId(entry[3], "passwd", User);
        }
        if (Group is not null)
        {
            if (Group.Length == 0 || Group == "root") gid = 0;
            else if (TryNumber(Group, out var numericGroup)) gid = numericGroup;
            else if (ReadDatabase(rootfs, "etc/group").FirstOrDefault(f => f.Length >= 3 && f[0] == Group) is { } entry)
                gid = ParseId(entry[2], "group", Group);
        }
        return (uid, gid);
    }

    /// <inheritdoc />
    public override string ToString() => Group is null ? User : $"{User}:{Group}";

    private static bool TryNumber(string text, out uint value) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static uint ParseId(string text, string file, string name) =>
        TryNumber(text, out var id) ? id : throw new FormatException($"/etc/{file}: entry \"{name}\" has a bad id \"{text}\"");

    private static IEnumerable<string[]> ReadDatabase(string rootfs, string relative)
    {
        var rootFd = LibC.OpenAt(LibC.AT_FDCWD, rootfs, LibC.O_PATH | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (rootFd < 0) throw LibC.Failure($"opening {rootfs}");
        string text;
        try
        {
            var fd = LibC.OpenAt2(rootFd, relative, LibC.O_RDONLY | LibC.O_CLOEXEC, LibC.RESOLVE_IN_ROOT | LibC.RESOLVE_NO_MAGICLINKS);
            if (fd < 0) return [];
            using var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read);
            using var reader = new StreamReader(stream);
            text = reader.ReadToEnd();
        }
        finally { LibC.Close(rootFd); }
        return text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split(':')).ToList();
    }
}
