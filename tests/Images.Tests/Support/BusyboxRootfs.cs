using Ashlar.Images.Archives;
using Ashlar.Images.Layers;
using Ashlar.Images.References;
using Ashlar.Images.Store;

namespace Ashlar.Images.Tests.Support;

/// <summary>A tiny real root filesystem: /bin/busybox (busybox-static) and a few applet links, as a tar.</summary>
internal static class BusyboxRootfs
{
    public const string BusyboxPath = "/bin/busybox";

    public static async Task<byte[]> TarAsync()
    {
        if (!File.Exists(BusyboxPath)) throw new InvalidOperationException($"{BusyboxPath} is missing: install busybox-static (.ci/install-deps)");
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("bin"));
        Directory.CreateDirectory(dir.Combine("etc"));
        Directory.CreateDirectory(dir.Combine("tmp"));
        File.SetUnixFileMode(dir.Combine("tmp"), (UnixFileMode)0x3ff);
        File.Copy(BusyboxPath, dir.Combine("bin", "busybox"));
        foreach (var applet in new[] { "sh", "ls", "cat", "echo", "true" })
            File.CreateSymbolicLink(dir.Combine("bin", applet), "busybox");
        File.WriteAllText(dir.Combine("etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        var output = new MemoryStream();
        await using (var writer = new LayerTarWriter(output))
            await writer.AddTreeAsync(dir.Path, "", new LayerTreeOptions { FixedModificationTime = DateTimeOffset.FromUnixTimeSeconds(1600000000), Uid = 0, Gid = 0 });
        return output.ToArray();
    }

    /// <summary>Imports the busybox rootfs as <paramref name="name"/> with a fixed creation time.</summary>
    public static async Task<StoredImage> ImportAsync(ImageStore store, string name = "busybox:latest") =>
        await RootfsImporter.ImportAsync(store, new MemoryStream(await TarAsync()), ImageReference.Parse(name),
            new ImportOptions { Created = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
}
