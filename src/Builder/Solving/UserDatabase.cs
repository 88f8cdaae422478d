using System.Globalization;

namespace Ashlar.Builder.Solving;

/// <summary>Resolves <c>user[:group]</c> (names or ids) against a rootfs's /etc/passwd and /etc/group, as COPY --chown and WORKDIR do.</summary>
internal static class UserDatabase
{
    public static (int Uid, int Gid) Resolve(string rootfs, string spec)
    {
        var colon = spec.IndexOf(':');
        var user = colon < 0 ? spec : spec[..colon];
        var group = colon < 0 ? null : spec[(colon + 1)..];
        int uid, gid;
        if (int.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out uid))
        {
            gid = group is null ? PrimaryGroupOf(rootfs, uid) ?? uid : 0;
        }
        else
        {
            var entry = Find(rootfs, "etc/passwd", user)
                ?? throw new BuildException($"unable to find user {user}: no matching entries in passwd file");
            uid = int.Parse(entry[2], CultureInfo.InvariantCulture);
            gid = int.Parse(entry[3], CultureInfo.InvariantCulture);
        }
        if (group is not null)
        {
            if (!int.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                var entry = Find(rootfs, "etc/group", group)
                    ?? throw new BuildException($"unable to find group {group}: no matching entries in group file");
                gid = int.Parse(entry[2], CultureInfo.InvariantCulture);
            }
        }
        return (uid, gid);
    }

    private static int? PrimaryGroupOf(string rootfs, int uid)
    {
        foreach (var fields in Entries(rootfs, "etc/passwd"))
            if (fields.Length > 3 && fields[2] == uid.ToString(CultureInfo.InvariantCulture)
                && int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
                return gid;
        return null;
    }

    private static string[]? Find(string rootfs, string file, string name) =>
        Entries(rootfs, file).FirstOrDefault(f => f.Length > 3 && f[0] == name);

    private static IEnumerable<string[]> Entries(string rootfs, string file)
    {
        var path = ScopedPath.Resolve(rootfs, file);
        return File.Exists(path) ? File.ReadLines(path).Select(l => l.Split(':')) : [];
    }
}
