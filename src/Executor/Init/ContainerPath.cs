using Ashlar.Executor.Native;

namespace Ashlar.Executor.Init;

/// <summary>
/// Resolves a path inside the container's rootfs the way the container would see it: symlinks are followed
/// relative to the rootfs, never out of it (an image's <c>/etc/resolv.conf -> /run/...</c> stays inside).
/// </summary>
internal static class ContainerPath
{
    private const int MaxSymlinks = 40;

    public static string Resolve(string root, string containerPath)
    {
        var pending = new Stack<string>(Split(containerPath).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..") { if (resolved.Count > 0) resolved.RemoveAt(resolved.Count - 1); continue; }
            var candidate = Join(root, resolved, part);
            var status = Posix.LStat(candidate);
            if (status is { IsSymlink: true } && Posix.ReadLink(candidate) is { } link)
            {
                if (++links > MaxSymlinks)
                    throw new InitStepException("path", LibC.EINVAL, $"too many symlinks resolving {containerPath}");
                if (link.StartsWith('/')) resolved.Clear();
                foreach (var linkPart in Split(link).Reverse()) pending.Push(linkPart);
                continue;
            }
            resolved.Add(part);
        }
        return Join(root, resolved, null);
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");

    private static string Join(string root, List<string> parts, string? last)
    {
        var path = root.TrimEnd('/') + "/" + string.Join('/', parts);
        return last is null ? path : path.TrimEnd('/') + "/" + last;
    }
}
