using System.Runtime.InteropServices;
using Ashlar.Images.Layers;
using Ashlar.Images.Tests.Support;

namespace Ashlar.Images.Tests.Layers;

/// <summary>
/// Layers unpacked in <see cref="WhiteoutMode.Overlay"/> mounted as real overlayfs lower dirs: the kernel must hide
/// what the whiteouts name, exactly as <see cref="WhiteoutMode.Apply"/> does when flattening.
/// </summary>
public class OverlayMountTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int mount(string source, string target, string fstype, ulong flags, string data);

    [DllImport("libc", SetLastError = true)]
    private static extern int umount2(string target, int flags);

    [Fact]
    public async Task Overlay_whiteouts_hide_lower_files_in_a_real_overlay_mount()
    {
        using var dir = new TempDirectory();
        var lower = new TarBuilder().File("a/keep", "1").File("a/gone", "2").File("opaque/old", "3").Build();
        var upper = new TarBuilder().File("a/.wh.gone", "").Directory("opaque/").File("opaque/.wh..wh..opq", "").File("opaque/new", "4").Build();
        await LayerUnpacker.UnpackAsync(new MemoryStream(lower), dir.Combine("l0"), new UnpackOptions { Whiteouts = WhiteoutMode.Overlay });
        await LayerUnpacker.UnpackAsync(new MemoryStream(upper), dir.Combine("l1"), new UnpackOptions { Whiteouts = WhiteoutMode.Overlay });
        Directory.CreateDirectory(dir.Combine("merged"));

        // Two read-only lower dirs, no upper: the topmost lower dir is listed first.
        if (mount("overlay", dir.Combine("merged"), "overlay", 1 /* MS_RDONLY */, $"lowerdir={dir.Combine("l1")}:{dir.Combine("l0")}") != 0)
            throw new Xunit.Sdk.XunitException($"mounting overlayfs failed: errno {Marshal.GetLastPInvokeError()} (the tests run as root on Linux with overlayfs)");
        try
        {
            Assert.Equal(["a", "a/keep", "opaque", "opaque/new"], FileStat.Tree(dir.Combine("merged")));
        }
        finally
        {
            umount2(dir.Combine("merged"), 2 /* MNT_DETACH */);
        }

        // Flattening the same layers in Apply mode gives the same tree.
        await LayerUnpacker.UnpackAsync(new MemoryStream(lower), dir.Combine("flat"));
        await LayerUnpacker.UnpackAsync(new MemoryStream(upper), dir.Combine("flat"));
        Assert.Equal(["a", "a/keep", "opaque", "opaque/new"], FileStat.Tree(dir.Combine("flat")));
    }
}

public class LowerLayerHardLinkTests
{
    [Fact]
    public async Task A_hard_link_to_a_lower_layer_file_is_copied_from_the_lower_directory()
    {
        using var dir = new TempDirectory();
        var lower = new TarBuilder().File("usr/bin/tool", "binary", mode: 0x1ed, uid: 7).Build();
        var upper = new TarBuilder().HardLink("usr/bin/alias", "usr/bin/tool").Build();
        await LayerUnpacker.UnpackAsync(new MemoryStream(lower), dir.Combine("l0"), new UnpackOptions { Whiteouts = WhiteoutMode.Overlay });

        var error = await Record.ExceptionAsync(() => LayerUnpacker.UnpackAsync(new MemoryStream(upper), dir.Combine("alone"), new UnpackOptions { Whiteouts = WhiteoutMode.Overlay }));
        Assert.IsType<IOException>(error);

        await LayerUnpacker.UnpackAsync(new MemoryStream(upper), dir.Combine("l1"), new UnpackOptions { Whiteouts = WhiteoutMode.Overlay, LowerDirectories = [dir.Combine("l0")] });
        Assert.Equal("binary", File.ReadAllText(dir.Combine("l1", "usr", "bin", "alias")));
        var stat = FileStat.Of(dir.Combine("l1", "usr", "bin", "alias"));
        Assert.Equal((0x1edu, 7u), (stat.Mode & 0xfffu, stat.Uid));
        Assert.NotEqual(FileStat.Of(dir.Combine("l0", "usr", "bin", "tool")).Inode, stat.Inode);
    }
}
