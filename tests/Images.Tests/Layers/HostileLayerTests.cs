using System.Formats.Tar;
using Ashlar.Images.Layers;
using Ashlar.Images.Native;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Layers;

/// <summary>
/// Every way a layer tar can try to write outside the directory it is unpacked into. Each test unpacks into
/// sandbox/root next to sandbox/outside (which holds a sentinel) and asserts that outside is exactly as it was and
/// nothing else appeared in the sandbox: the entry is either contained inside root or refused with a clear error.
/// </summary>
public sealed class HostileLayerTests : IDisposable
{
    private readonly TempDirectory _sandbox = new();
    private string Root => _sandbox.Combine("root");
    private string Outside => _sandbox.Combine("outside");

    public HostileLayerTests()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret"), "untouched");
    }

    public void Dispose() => _sandbox.Dispose();

    private async Task<Exception?> UnpackAsync(TarBuilder tar)
    {
        var before = FileStat.Tree(Outside);
        var error = await Record.ExceptionAsync(() => LayerUnpacker.UnpackAsync(tar.BuildStream(), Root));
        Assert.Equal(before, FileStat.Tree(Outside));
        Assert.Equal("untouched", File.ReadAllText(Path.Combine(Outside, "secret")));
        Assert.Equal(["outside", "root"], Directory.EnumerateFileSystemEntries(_sandbox.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(1u, FileStat.Of(Path.Combine(Outside, "secret")).LinkCount); // no hard link to it appeared anywhere
        return error;
    }

    [Fact]
    public async Task Dot_dot_names_are_refused()
    {
        var error = await UnpackAsync(new TarBuilder().File("../outside/pwned", "x"));
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("\"../outside/pwned\" points outside the layer root", error!.Message);
    }

    [Fact]
    public async Task Dot_dot_in_the_middle_is_refused_when_it_climbs_out()
    {
        var error = await UnpackAsync(new TarBuilder().File("a/../../outside/pwned", "x"));
        Assert.IsType<InvalidDataException>(error);
    }

    [Fact]
    public async Task Absolute_names_land_inside_the_root()
    {
        var error = await UnpackAsync(new TarBuilder().File(Path.Combine(Outside, "pwned"), "x"));
        Assert.Null(error);
        Assert.True(File.Exists(Path.Combine(Root, Outside.TrimStart('/'), "pwned")));
    }

    [Fact]
    public async Task An_absolute_symlink_parent_is_resolved_inside_the_root()
    {
        Directory.CreateDirectory(Path.Combine(Root, Outside.TrimStart('/'))); // so the link's target exists inside root
        var error = await UnpackAsync(new TarBuilder().Symlink("escape", Outside).File("escape/pwned", "x"));
        Assert.Null(error);
        Assert.True(File.Exists(Path.Combine(Root, Outside.TrimStart('/'), "pwned")));
    }

    [Fact]
    public async Task A_symlink_parent_whose_target_is_missing_inside_the_root_is_refused()
    {
        var error = await UnpackAsync(new TarBuilder().Symlink("escape", Outside).File("escape/pwned", "x"));
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("symlink", error!.Message);
    }

    [Fact]
    public async Task A_relative_symlink_parent_that_climbs_out_is_clamped_to_the_root()
    {
        var error = await UnpackAsync(new TarBuilder().Symlink("up", "../../../../../..").File("up/outside/pwned", "x"));
        Assert.Null(error);
        Assert.True(File.Exists(Path.Combine(Root, "outside", "pwned")));
    }

    [Fact]
    public async Task A_symlink_chain_cannot_lead_out()
    {
        var error = await UnpackAsync(new TarBuilder()
            .Symlink("a", "b").Symlink("b", "../c").Symlink("c", _sandbox.Path)
            .Directory(Path.Combine(_sandbox.Path.TrimStart('/'), "outside") + "/")
            .File("a/outside/pwned", "x"));
        Assert.Null(error);
        Assert.True(File.Exists(Path.Combine(Root, _sandbox.Path.TrimStart('/'), "outside", "pwned")));
    }

    [Fact]
    public async Task A_file_entry_over_a_symlink_replaces_the_symlink()
    {
        var error = await UnpackAsync(new TarBuilder().Symlink("secret", Path.Combine(Outside, "secret")).File("secret", "overwritten?"));
        Assert.Null(error);
        Assert.Equal(LibC.S_IFREG, FileStat.Type(Path.Combine(Root, "secret")));
        Assert.Equal("overwritten?", File.ReadAllText(Path.Combine(Root, "secret")));
    }

    [Fact]
    public async Task A_hard_link_to_an_outside_file_by_dot_dot_is_refused()
    {
        var error = await UnpackAsync(new TarBuilder().HardLink("link", "../outside/secret"));
        Assert.IsType<InvalidDataException>(error);
        Assert.Contains("hard link", error!.Message);
    }

    [Fact]
    public async Task A_hard_link_to_an_absolute_outside_path_is_resolved_inside_the_root()
    {
        var error = await UnpackAsync(new TarBuilder().HardLink("link", Path.Combine(Outside, "secret")));
        Assert.NotNull(error); // there is no such file inside the root
        Assert.False(FileStat.Exists(Path.Combine(Root, "link")));
    }

    [Fact]
    public async Task A_hard_link_through_a_symlinked_parent_stays_inside()
    {
        var error = await UnpackAsync(new TarBuilder().Symlink("out", Outside).HardLink("link", "out/secret"));
        Assert.NotNull(error);
        Assert.False(FileStat.Exists(Path.Combine(Root, "link")));
    }

    [Fact]
    public async Task A_hard_link_to_a_symlink_links_the_symlink_not_its_target()
    {
        var error = await UnpackAsync(new TarBuilder().Symlink("sym", Path.Combine(Outside, "secret")).HardLink("link", "sym").File("link", "write through?"));
        Assert.Null(error);
        Assert.Equal("write through?", File.ReadAllText(Path.Combine(Root, "link")));
    }

    [Fact]
    public async Task A_whiteout_cannot_delete_outside()
    {
        var error = await UnpackAsync(new TarBuilder().Symlink("out", Outside).File("out/.wh.secret", ""));
        Assert.True(error is null or InvalidDataException);
    }

    [Fact]
    public async Task A_whiteout_with_dot_dot_is_refused()
    {
        var error = await UnpackAsync(new TarBuilder().File("../outside/.wh.secret", ""));
        Assert.IsType<InvalidDataException>(error);
    }

    [Fact]
    public async Task A_device_under_a_symlinked_parent_stays_inside()
    {
        Directory.CreateDirectory(Path.Combine(Root, Outside.TrimStart('/')));
        var error = await UnpackAsync(new TarBuilder().Symlink("out", Outside).Special("out/fifo", TarEntryType.Fifo));
        Assert.Null(error);
        Assert.Equal(LibC.S_IFIFO, FileStat.Type(Path.Combine(Root, Outside.TrimStart('/'), "fifo")));
    }

    [Fact]
    public async Task Deleting_a_directory_for_a_whiteout_does_not_follow_symlinks_in_it()
    {
        var error = await UnpackAsync(new TarBuilder().Directory("d/").Symlink("d/out", Outside).Symlink("d/secret", Path.Combine(Outside, "secret")));
        Assert.Null(error);
        error = await UnpackAsync(new TarBuilder().File(".wh.d", ""));
        Assert.Null(error);
        Assert.False(FileStat.Exists(Path.Combine(Root, "d")));
    }

    [Fact]
    public async Task An_opaque_directory_does_not_follow_symlinks_when_clearing()
    {
        Directory.CreateDirectory(Path.Combine(Root, "o"));
        File.CreateSymbolicLink(Path.Combine(Root, "o", "out"), Outside);
        var error = await UnpackAsync(new TarBuilder().File("o/.wh..wh..opq", ""));
        Assert.Null(error);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Root, "o")));
    }

    [Fact]
    public async Task A_symlink_replacing_a_directory_then_a_file_below_it_stays_inside()
    {
        var error = await UnpackAsync(new TarBuilder().Directory("etc/").Symlink("etc", "/").File("etc/outside/secret", "x"));
        Assert.Null(error);
        Assert.Equal("x", File.ReadAllText(Path.Combine(Root, "outside", "secret")));
    }
}
