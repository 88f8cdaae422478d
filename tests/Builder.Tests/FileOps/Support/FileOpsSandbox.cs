using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps;
using Ashlar.Images.Native;

namespace Ashlar.Builder.Tests.FileOps.Support;

/// <summary>A temp build context and a temp "rootfs" with /etc/passwd and /etc/group, deleted afterwards.</summary>
internal sealed class FileOpsSandbox : IDisposable
{
    public static readonly DateTimeOffset OldTime = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    public FileOpsSandbox()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("ashlar-fileops-").FullName;
        Context = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "context")).FullName;
        Rootfs = System.IO.Directory.CreateDirectory(Path.Combine(Directory, "rootfs")).FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(Rootfs, "etc"));
        File.WriteAllText(Path.Combine(Rootfs, "etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n# comment\nnobody:x:65534:65534::/:/bin/false\n");
        File.WriteAllText(Path.Combine(Rootfs, "etc/group"), "root:x:0:\nstaff:x:50:app\napp:x:1001:\n");
    }

    public string Directory { get; }
    public string Context { get; }
    public string Rootfs { get; }

    /// <summary>Writes a context file with a mode and an old mtime.</summary>
    public string Write(string relative, string content, uint mode = 0x1a4, DateTimeOffset? mtime = null, string? under = null)
    {
        var path = Path.Combine(under ?? Context, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        Chmod(path, mode);
        File.SetLastWriteTimeUtc(path, (mtime ?? OldTime).UtcDateTime);
        return path;
    }

    public string Mkdir(string relative, uint mode = 0x1ed, string? under = null)
    {
        var path = Path.Combine(under ?? Context, relative);
        System.IO.Directory.CreateDirectory(path);
        Chmod(path, mode);
        return path;
    }

    public void Symlink(string relative, string target, string? under = null)
    {
        var path = Path.Combine(under ?? Context, relative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.CreateSymbolicLink(path, target);
    }

    public static void Chmod(string path, uint mode)
    {
        if (LibC.FchmodAt(LibC.AT_FDCWD, path, mode, 0) != 0) throw LibC.Failure($"chmod {path}");
    }

    public Task<BuildContext> OpenContextAsync(string? dockerfile = null) => BuildContext.OpenAsync(Context, dockerfile);

    /// <summary>Prepares and applies a copy from the context (or <paramref name="tree"/>) into the rootfs.</summary>
    public async Task<CopyResult> CopyAsync(CopySpec spec, SourceTree? tree = null, HttpClient? http = null)
    {
        tree ??= await OpenContextAsync();
        await using var plan = await CopyOperation.PrepareAsync(spec, tree, http);
        return await plan.ApplyAsync(Rootfs);
    }

    public static CopySpec Copy(string destination, params string[] sources) => new() { Sources = sources, Destination = destination };

    public static CopySpec Add(string destination, params string[] sources) => new() { Sources = sources, Destination = destination, IsAdd = true };

    public string InRootfs(string path) => Path.Combine(Rootfs, path.TrimStart('/'));

    public string Read(string path) => File.ReadAllText(InRootfs(path));

    /// <summary>What lstat says about a path in the rootfs.</summary>
    public EntryStat Stat(string path) => StatPath(InRootfs(path));

    public static EntryStat StatPath(string full)
    {
        if (LibC.StatxAt(LibC.AT_FDCWD, full, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var st) != 0)
            throw LibC.Failure($"stat {full}");
        var type = (st.Mode & LibC.S_IFMT) switch
        {
            LibC.S_IFDIR => "dir",
            LibC.S_IFLNK => "symlink",
            LibC.S_IFREG => "file",
            _ => "other",
        };
        var link = type == "symlink" ? LibC.ReadLink(LibC.AT_FDCWD, full) : null;
        return new EntryStat(type, st.Mode & 0xfffu, st.Uid, st.Gid, LibC.ToTime(st.ModifyTime), st.Inode, st.LinkCount, link);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { }
    }
}

internal sealed record EntryStat(string Type, uint Mode, uint Uid, uint Gid, DateTimeOffset ModifiedTime, ulong Inode, uint LinkCount, string? LinkTarget)
{
    public string Octal => Convert.ToString(Mode, 8);
}
