namespace Ashlar.Executor.Init;

/// <summary>
/// The user a process runs as, resolved like docker does from the image's /etc/passwd and /etc/group:
/// <c>name</c>, <c>uid</c>, <c>name:group</c> or <c>uid:gid</c>; numeric ids need no entry.
/// </summary>
internal sealed record ContainerUser(uint Uid, uint Gid, uint[] AdditionalGroups, string Home)
{
    public static ContainerUser Resolve(string user, string passwdPath, string groupPath)
    {
        if (string.IsNullOrEmpty(user)) user = "0";
        var colon = user.IndexOf(':');
        var userPart = colon < 0 ? user : user[..colon];
        var groupPart = colon < 0 ? null : user[(colon + 1)..];

        var passwd = ReadEntries(passwdPath);
        var groups = ReadEntries(groupPath);

        string? name = null;
        uint uid, gid = 0;
        var home = "/";
        var entry = passwd.FirstOrDefault(e => e.Length >= 7 && (e[0] == userPart || (uint.TryParse(userPart, out var n) && e[2] == n.ToString())));
        if (entry is not null)
        {
            name = entry[0];
            uid = uint.Parse(entry[2]);
            gid = uint.TryParse(entry[3], out var g) ? g : 0;
            home = entry[5].Length > 0 ? entry[5] : "/";
        }
        else if (!uint.TryParse(userPart, out uid))
            throw new InitStepException("user", 0, $"unable to find user {userPart}: no matching entries in passwd file");

        if (groupPart is not null)
        {
            if (uint.TryParse(groupPart, out var numeric)) gid = numeric;
            else
            {
                var group = groups.FirstOrDefault(e => e.Length >= 3 && e[0] == groupPart)
                    ?? throw new InitStepException("user", 0, $"unable to find group {groupPart}: no matching entries in group file");
                gid = uint.Parse(group[2]);
            }
        }

        // Supplementary groups: only the groups that list the user by name, and none when a group was forced (runc's
        // rule under BuildKit); the primary group is not added to them.
        var additional = new List<uint>();
        if (groupPart is null && name is not null)
            foreach (var group in groups)
                if (group.Length >= 4 && group[3].Split(',').Contains(name) && uint.TryParse(group[2], out var g) && !additional.Contains(g))
                    additional.Add(g);
        return new ContainerUser(uid, gid, additional.ToArray(), home);
    }

    private static List<string[]> ReadEntries(string path)
    {
        var entries = new List<string[]>();
        if (!File.Exists(path)) return entries;
        foreach (var line in File.ReadLines(path))
            if (line.Length > 0 && line[0] != '#')
                entries.Add(line.Split(':'));
        return entries;
    }
}
