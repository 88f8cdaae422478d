using Ashlar.Builder.FileOps;
using Ashlar.Builder.Tests.FileOps.Support;
using Ashlar.Images.Native;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class CopySymlinksAndContainmentTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Symlinks_inside_a_copied_directory_stay_symlinks()
    {
        _box.Write("dir/target.txt", "t");
        _box.Symlink("dir/link", "target.txt");
        _box.Symlink("dir/abs", "/etc/passwd");

        await _box.CopyAsync(Copy("/out/", "dir"));

        Assert.Equal(("symlink", "target.txt"), (_box.Stat("/out/link").Type, _box.Stat("/out/link").LinkTarget));
        Assert.Equal("/etc/passwd", _box.Stat("/out/abs").LinkTarget);
        Assert.Equal((0u, 0u), (_box.Stat("/out/link").Uid, _box.Stat("/out/link").Gid));
    }

    [Fact]
    public async Task The_source_path_itself_is_followed_and_keeps_its_own_name()
    {
        _box.Write("real/config.yml", "c", mode: 0x180);
        _box.Symlink("alias.yml", "real/config.yml");
        _box.Symlink("linkdir", "real");

        await _box.CopyAsync(Copy("/a/", "alias.yml"));
        await _box.CopyAsync(Copy("/b/", "linkdir"));

        var st = _box.Stat("/a/alias.yml");
        Assert.Equal(("file", "600"), (st.Type, st.Octal));
        Assert.Equal("c", _box.Read("/a/alias.yml"));
        Assert.Equal("c", _box.Read("/b/config.yml"));
    }

    [Fact]
    public async Task Dot_dot_and_outward_symlinks_stay_inside_the_context()
    {
        File.WriteAllText(Path.Combine(_box.Directory, "secret"), "outside");
        _box.Write("secret", "inside");
        _box.Symlink("escape", "../secret");
        _box.Symlink("absolute", "/secret");

        await _box.CopyAsync(Copy("/a", "../secret"));
        await _box.CopyAsync(Copy("/b", "escape"));
        await _box.CopyAsync(Copy("/c", "absolute"));

        Assert.Equal("inside", _box.Read("/a"));
        Assert.Equal("inside", _box.Read("/b"));
        Assert.Equal("inside", _box.Read("/c"));

        _box.Symlink("nowhere", "../../../../etc/hostname");
        var error = await Assert.ThrowsAsync<SourceNotFoundException>(() => _box.CopyAsync(Copy("/d", "nowhere")));
        Assert.Contains("\"nowhere\" not found in the build context", error.Message);
    }

    [Fact]
    public async Task Destination_symlinks_are_resolved_inside_the_rootfs()
    {
        var outside = Directory.CreateDirectory(Path.Combine(_box.Directory, "host-dir")).FullName;
        _box.Write("payload", "p");
        _box.Write("tree/evil", "e");
        // The image has /app -> <host path> and /rel -> ../../../../host-dir: both must land inside the rootfs.
        _box.Symlink("app", outside, under: _box.Rootfs);
        _box.Symlink("rel", "../../../../../host-dir", under: _box.Rootfs);

        await _box.CopyAsync(Copy("/app/", "payload"));
        await _box.CopyAsync(Copy("/rel/", "tree"));

        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.Equal("p", _box.Read(outside + "/payload"));
        Assert.Equal("e", _box.Read("/host-dir/evil"));
    }

    [Fact]
    public async Task A_symlink_in_the_destination_is_replaced_not_written_through()
    {
        var outside = Path.Combine(_box.Directory, "victim");
        File.WriteAllText(outside, "untouched");
        _box.Write("dir/victim", "new");
        _box.Symlink("out/victim", outside, under: _box.Rootfs);

        await _box.CopyAsync(Copy("/out/", "dir"));

        Assert.Equal("untouched", File.ReadAllText(outside));
        Assert.Equal(("file", "new"), (_box.Stat("/out/victim").Type, _box.Read("/out/victim")));
    }

    [Fact]
    public async Task Copying_over_a_symlinked_directory_inside_a_tree_is_refused_like_buildkit()
    {
        _box.Write("root/lib/x.so", "x");
        Directory.CreateDirectory(_box.InRootfs("/usr/lib"));
        _box.Symlink("lib", "usr/lib", under: _box.Rootfs);

        var error = await Assert.ThrowsAsync<IOException>(() => _box.CopyAsync(Copy("/", "root")));
        Assert.Contains("cannot copy to non-directory: \"/lib\"", error.Message);
    }

    [Fact]
    public async Task Hard_links_within_one_copy_stay_hard_links()
    {
        var first = _box.Write("d/a", "same");
        Assert.Equal(0, LibC.LinkAt(LibC.AT_FDCWD, first, LibC.AT_FDCWD, Path.Combine(_box.Context, "d/b"), 0));
        _box.Write("d/c", "other");

        await _box.CopyAsync(Copy("/h/", "d"));

        Assert.Equal(_box.Stat("/h/a").Inode, _box.Stat("/h/b").Inode);
        Assert.Equal(2u, _box.Stat("/h/a").LinkCount);
        Assert.NotEqual(_box.Stat("/h/a").Inode, _box.Stat("/h/c").Inode);
    }

    [Fact]
    public async Task Extended_attributes_are_copied()
    {
        var file = _box.Write("bin/ping", "p", mode: 0x1ed);
        if (LibC.LSetXattr(file, "user.origin", "context"u8.ToArray()) != 0)
            return; // the temp filesystem has no user xattrs: nothing to check here

        await _box.CopyAsync(Copy("/usr/bin/", "bin/ping"));

        var copied = LibC.ListXattrs(_box.InRootfs("/usr/bin/ping"));
        Assert.Contains(copied, x => x.Key == "user.origin" && x.Value.SequenceEqual("context"u8.ToArray()));
    }
}
