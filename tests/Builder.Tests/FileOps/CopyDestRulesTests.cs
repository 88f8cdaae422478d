using Ashlar.Builder.Tests.FileOps.Support;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class CopyDestRulesTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Fact]
    public async Task Trailing_slash_means_into_a_directory_else_the_file_is_renamed()
    {
        _box.Write("app.conf", "conf");

        await _box.CopyAsync(Copy("/etc/app/", "app.conf"));
        await _box.CopyAsync(Copy("/etc/renamed.conf", "app.conf"));

        Assert.Equal("conf", _box.Read("/etc/app/app.conf"));
        Assert.Equal("file", _box.Stat("/etc/renamed.conf").Type);
    }

    [Fact]
    public async Task An_existing_directory_without_trailing_slash_receives_the_file()
    {
        _box.Write("a.txt", "a");
        Directory.CreateDirectory(_box.InRootfs("/srv"));

        await _box.CopyAsync(Copy("/srv", "a.txt"));

        Assert.Equal("a", _box.Read("/srv/a.txt"));
    }

    [Fact]
    public async Task Relative_destination_is_against_workdir()
    {
        _box.Write("a.txt", "a");

        await _box.CopyAsync(Copy("sub/", "a.txt") with { WorkingDirectory = "/srv/app" });
        await _box.CopyAsync(Copy(".", "a.txt") with { WorkingDirectory = "/w2" });

        Assert.Equal("a", _box.Read("/srv/app/sub/a.txt"));
        Assert.Equal("a", _box.Read("/w2/a.txt"));
    }

    [Fact]
    public async Task Missing_parent_directories_are_created_0755_root()
    {
        _box.Write("a.txt", "a", mode: 0x180);
        var created = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

        await _box.CopyAsync(Copy("/x/y/z/", "a.txt") with { CreatedTime = created });

        foreach (var dir in new[] { "/x", "/x/y", "/x/y/z" })
        {
            var st = _box.Stat(dir);
            Assert.Equal(("dir", "755", 0u, 0u), (st.Type, st.Octal, st.Uid, st.Gid));
        }
        // As in BuildKit, writing into a directory afterwards moves its mtime on (the exporter clamps it with SOURCE_DATE_EPOCH).
        var file = _box.Stat("/x/y/z/a.txt");
        Assert.Equal(("600", OldTime), (file.Octal, file.ModifiedTime));
    }

    [Fact]
    public async Task Several_sources_need_a_directory_destination()
    {
        _box.Write("a", "a");
        _box.Write("b", "b");

        var error = await Assert.ThrowsAsync<IOException>(() => _box.CopyAsync(Copy("/dest", "a", "b")));
        Assert.Contains("must be a directory and end with a /", error.Message);

        Directory.CreateDirectory(_box.InRootfs("/existing"));
        await _box.CopyAsync(Copy("/existing", "a", "b"));
        Assert.Equal("b", _box.Read("/existing/b"));
    }

    [Fact]
    public async Task A_directory_source_copies_its_contents_and_a_new_destination_takes_its_metadata()
    {
        var dir = _box.Mkdir("dir", mode: 0x1e8 /* 0750 */);
        _box.Write("dir/f", "f", mode: 0x1ed);
        _box.Mkdir("dir/sub", mode: 0x1c0);
        _box.Write("dir/sub/g", "g");
        Directory.SetLastWriteTimeUtc(Path.Combine(dir, "sub"), OldTime.UtcDateTime);
        Directory.SetLastWriteTimeUtc(dir, OldTime.UtcDateTime);

        await _box.CopyAsync(Copy("/new", "dir"));

        var top = _box.Stat("/new");
        Assert.Equal(("750", OldTime), (top.Octal, top.ModifiedTime));
        Assert.Equal("755", _box.Stat("/new/f").Octal);
        var sub = _box.Stat("/new/sub");
        Assert.Equal(("700", OldTime), (sub.Octal, sub.ModifiedTime));
        Assert.Equal("g", _box.Read("/new/sub/g"));
    }

    [Fact]
    public async Task An_existing_destination_directory_keeps_its_metadata()
    {
        _box.Mkdir("dir", mode: 0x1c0);
        _box.Write("dir/f", "f");
        var existing = _box.InRootfs("/opt");
        Directory.CreateDirectory(existing);
        Chmod(existing, 0x1fd /* 0775 */);

        await _box.CopyAsync(Copy("/opt/", "dir"));

        Assert.Equal("775", _box.Stat("/opt").Octal);
        Assert.Equal("f", _box.Read("/opt/f"));
    }

    [Fact]
    public async Task A_file_does_not_replace_a_directory_and_a_directory_not_a_file()
    {
        _box.Write("a", "a");
        _box.Write("dir/x", "x");
        Directory.CreateDirectory(_box.InRootfs("/d/a/inner"));
        File.WriteAllText(_box.InRootfs("/plain"), "p");

        var error = await Assert.ThrowsAsync<IOException>(() => _box.CopyAsync(Copy("/d/", "a")));
        Assert.Contains("cannot replace directory \"/d/a\"", error.Message);

        error = await Assert.ThrowsAsync<IOException>(() => _box.CopyAsync(Copy("/plain", "dir")));
        Assert.Contains("cannot copy to non-directory: \"/plain\"", error.Message);
    }

    [Fact]
    public async Task Link_copies_into_an_empty_layer_where_the_destination_is_not_looked_up_in_the_stage()
    {
        _box.Write("a.txt", "a");
        Directory.CreateDirectory(_box.InRootfs("/srv"));
        var layer = Path.Combine(_box.Directory, "layer");
        Directory.CreateDirectory(layer);

        await using (var plan = await Ashlar.Builder.FileOps.CopyOperation.PrepareAsync(Copy("/srv", "a.txt") with { Chown = "1000:1001" }, await _box.OpenContextAsync()))
            await plan.ApplyToLayerAsync(layer);

        // As BuildKit's --link onto scratch: /srv is a file path there, and the stage's rootfs is untouched.
        var st = FileOpsSandbox.StatPath(Path.Combine(layer, "srv"));
        Assert.Equal(("file", 1000u, 1001u), (st.Type, st.Uid, st.Gid));
        Assert.Empty(Directory.GetFileSystemEntries(_box.InRootfs("/srv")));
        Assert.Equal(["srv"], Directory.GetFileSystemEntries(layer).Select(p => Path.GetFileName(p)!).ToArray());
    }

    [Fact]
    public async Task Link_refuses_chown_names_as_buildkit_does_since_there_is_no_passwd_to_read()
    {
        _box.Write("a.txt", "a");
        var layer = Directory.CreateDirectory(Path.Combine(_box.Directory, "layer")).FullName;

        await using var plan = await Ashlar.Builder.FileOps.CopyOperation.PrepareAsync(Copy("/srv", "a.txt") with { Chown = "1000:staff" }, await _box.OpenContextAsync());
        var error = await Assert.ThrowsAsync<FormatException>(() => plan.ApplyToLayerAsync(layer));

        Assert.Contains("--chown=1000:staff can't be used with --link", error.Message);
        Assert.Empty(Directory.GetFileSystemEntries(layer));
    }

    [Fact]
    public async Task Sockets_inside_a_copied_directory_are_skipped()
    {
        _box.Write("dir/f", "f");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(_box.Context, "dir/agent.sock")));

        await _box.CopyAsync(Copy("/s/", "dir"));

        Assert.Equal(["f"], Directory.GetFileSystemEntries(_box.InRootfs("/s")).Select(p => Path.GetFileName(p)!).ToArray());
    }
}
