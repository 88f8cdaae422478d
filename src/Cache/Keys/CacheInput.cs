using Ashlar.Images.Content;

namespace Ashlar.Cache.Keys;

/// <summary>One named input folded into a cache key: what it is, its name and the digest of its value.</summary>
public readonly record struct CacheInput(CacheInputKind Kind, string Name, Digest Value)
{
    /// <summary>The unique id of the input within a key, <c>kind:name</c>; inputs are folded in ordinal order of it.</summary>
    public string Id => Kind switch
    {
        CacheInputKind.User or CacheInputKind.WorkDir or CacheInputKind.Shell or CacheInputKind.Network or CacheInputKind.Platform
            => KindName(Kind),
        _ => $"{KindName(Kind)}:{Name}",
    };

    /// <summary>How a miss names this input: <c>input "src/a.txt"</c>, <c>build arg "VERSION"</c>, <c>user</c>.</summary>
    public string Describe() => Kind switch
    {
        CacheInputKind.File => $"input \"{Name}\"",
        CacheInputKind.BuildArg => $"build arg \"{Name}\"",
        CacheInputKind.Env => $"env \"{Name}\"",
        CacheInputKind.Mount => $"mount \"{Name}\"",
        CacheInputKind.Secret => $"secret \"{Name}\"",
        CacheInputKind.Stage => $"the result of {Name}",
        _ => KindName(Kind),
    };

    internal static string KindName(CacheInputKind kind) => kind switch
    {
        CacheInputKind.File => "file",
        CacheInputKind.BuildArg => "arg",
        CacheInputKind.Env => "env",
        CacheInputKind.User => "user",
        CacheInputKind.WorkDir => "workdir",
        CacheInputKind.Shell => "shell",
        CacheInputKind.Network => "network",
        CacheInputKind.Mount => "mount",
        CacheInputKind.Platform => "platform",
        CacheInputKind.Secret => "secret",
        CacheInputKind.Stage => "stage",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    internal static CacheInput FromId(string id, Digest value)
    {
        var colon = id.IndexOf(':');
        var kindName = colon < 0 ? id : id[..colon];
        var name = colon < 0 ? "" : id[(colon + 1)..];
        foreach (var kind in Enum.GetValues<CacheInputKind>())
            if (KindName(kind) == kindName)
                return new CacheInput(kind, name, value);
        throw new InvalidDataException($"unknown cache input kind \"{kindName}\" in \"{id}\"");
    }
}
