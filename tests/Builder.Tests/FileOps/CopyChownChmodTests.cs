using Ashlar.Builder.Context;
using Ashlar.Builder.FileOps;
using Ashlar.Builder.Tests.FileOps.Support;
using Ashlar.Images.Native;
using static Ashlar.Builder.Tests.FileOps.Support.FileOpsSandbox;

namespace Ashlar.Builder.Tests.FileOps;

public sealed class CopyChownChmodTests : IDisposable
{
    private readonly FileOpsSandbox _box = new();

    public void Dispose() => _box.Dispose();

    [Theory]
    [InlineData(null, 0u, 0u)]
    [InlineData("app", 1000u, 1001u)]
    [InlineData("app:staff", 1000u, 50u)]
    [InlineData("123", 123u, 123u)]
    [InlineData("5:staff", 5u, 50u)]
    [InlineData("app:7", 1000u, 7u)]
    [InlineData("0:0", 0u, 0u)]
    public async Task Chown_resolves_names_in_the_destination_rootfs(string? chown, uint uid, uint gid)
    {
        _box.Write("f", "f");

        await _box.CopyAsync(Copy("/x/y/", "f") with { Chown = chown });

        var st = _box.Stat("/x/y/f");
        Assert.Equal((uid, gid), (st.Uid, st.Gid));
        // Directories the copy creates belong to the --chown user too.
        Assert.Equal((uid, gid), (_box.Stat("/x").Uid, _box.Stat("/x").Gid));
    }

    [Theory]
    // Checked against dockerd's BuildKit: an unknown user is 0:0, an unknown group keeps the user's group, "user:" is
    // gid 0 (readUser in BuildKit's file op, unlike the legacy builder, which fails).
    [InlineData("ghost", 0u, 0u)]
    [InlineData("app:ghosts", 1000u, 1001u)]
    [InlineData("ghost:staff", 0u, 50u)]
    [InlineData("app:", 1000u, 0u)]
    [InlineData("root:root", 0u, 0u)]
    public async Task Unknown_names_fall_back_as_in_buildkit(string chown, uint uid, uint gid)
    {
        _box.Write("f", "f");

        await _box.CopyAsync(Copy("/", "f") with { Chown = chown });

        Assert.Equal((uid, gid), (_box.Stat("/f").Uid, _box.Stat("/f").Gid));
    }

    [Fact]
    public async Task Copy_from_a_stage_keeps_ownership_the_context_does_not()
    {
        var stage = Path.Combine(_box.Directory, "stage");
        _box.Write("bin/tool", "t", under: stage);
        Chmod(Path.Combine(stage, "bin/tool"), 0x1ed);
        LibC.FchownAt(LibC.AT_FDCWD, Path.Combine(stage, "bin/tool"), 42, 43, 0);
        LibC.FchownAt(LibC.AT_FDCWD, _box.Write("ctx", "c"), 42, 43, 0);

        await _box.CopyAsync(Copy("/usr/local/bin/", "/bin/tool"), SourceTree.FromDirectory(stage, "stage \"build\""));
        await _box.CopyAsync(Copy("/ctx", "ctx"));

        Assert.Equal((42u, 43u), (_box.Stat("/usr/local/bin/tool").Uid, _box.Stat("/usr/local/bin/tool").Gid));
        Assert.Equal((0u, 0u), (_box.Stat("/ctx").Uid, _box.Stat("/ctx").Gid));
    }

    [Fact]
    public async Task Octal_chmod_applies_to_files_and_directories_but_not_created_parents()
    {
        _box.Write("d/f", "f", mode: 0x1ed);
        _box.Mkdir("d/sub");
        _box.Write("d/sub/g", "g");

        await _box.CopyAsync(Copy("/p/q/", "d") with { Chmod = "640" });

        Assert.Equal("640", _box.Stat("/p/q/f").Octal);
        Assert.Equal("640", _box.Stat("/p/q/sub").Octal);
        Assert.Equal("640", _box.Stat("/p/q/sub/g").Octal);
        Assert.Equal("755", _box.Stat("/p").Octal);
    }

    [Theory]
    [InlineData("u+x", 0x1a4u, false, "744")]
    [InlineData("g-w,o=", 0x1b6u, false, "640")]
    [InlineData("a+X", 0x1a4u, false, "644")]
    [InlineData("a+X", 0x1e4u, false, "755")]
    [InlineData("a+X", 0x1c0u, true, "711")]
    [InlineData("go=u-w", 0x1edu, false, "755")]
    [InlineData("u=rwx,g=rx,o=", 0x0u, false, "750")]
    [InlineData("0755", 0x1a4u, false, "755")]
    [InlineData("00007777", 0x1a4u, false, "777")]
    [InlineData("+t", 0x1edu, true, "1755")]
    [InlineData("u+t", 0x1edu, true, "1755")]
    [InlineData("o+t", 0x1edu, true, "755")]
    [InlineData("a-t", 0x3edu, true, "755")]
    public void Symbolic_and_octal_modes_like_chmod(string spec, uint before, bool directory, string after) =>
        Assert.Equal(after, Convert.ToString(ModeSpec.Parse(spec).Apply(before, directory), 8));

    [Theory]
    [InlineData("u+q")]
    [InlineData("x")]
    [InlineData("99")]
    [InlineData("17777")]
    [InlineData("000010000")]
    public void Bad_chmod_values_are_rejected(string spec)
    {
        var error = Assert.Throws<FormatException>(() => ModeSpec.Parse(spec));
        Assert.Contains(spec, error.Message);
    }

    [Fact]
    public async Task Symbolic_chmod_is_applied_to_each_entry_s_own_mode()
    {
        _box.Write("a", "a", mode: 0x1a4);
        _box.Write("b", "b", mode: 0x1ed);

        await _box.CopyAsync(Copy("/o/", "a", "b") with { Chmod = "g+w,o-r" });

        Assert.Equal("660", _box.Stat("/o/a").Octal);
        Assert.Equal("771", _box.Stat("/o/b").Octal);
    }
}
