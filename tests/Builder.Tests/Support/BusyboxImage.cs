using System.Diagnostics;
using Ashlar.Images.Compression;
using Ashlar.Images.Formats;
using Ashlar.Images.Layers;
using Ashlar.Images.References;
using Ashlar.Images.Store;

namespace Ashlar.Builder.Tests.Support;

/// <summary>
/// Makes a one-layer busybox image (default <c>busybox:latest</c>) in a store from the host's /bin/busybox
/// (busybox-static): applets, passwd with user "app", group "extra"; <c>padding</c> random bytes make it bigger.
/// </summary>
internal static class BusyboxImage
{
    public const string Name = "busybox:latest";

    public static async Task ImportAsync(ImageStore store, string name = Name, int padding = 0)
    {
        var root = Directory.CreateTempSubdirectory("ashlar-busybox-").FullName;
        try
        {
            foreach (var dir in new[] { "bin", "etc", "tmp", "root", "home/app" })
                Directory.CreateDirectory(Path.Combine(root, dir));
            File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)Convert.ToInt32("1777", 8));
            File.Copy("/bin/busybox", Path.Combine(root, "bin/busybox"));
            var list = Process.Start(new ProcessStartInfo("/bin/busybox", "--list") { RedirectStandardOutput = true })!;
            foreach (var applet in (await list.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                if (applet != "busybox")
                    File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
            await list.WaitForExitAsync();
            File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n");
            File.WriteAllText(Path.Combine(root, "etc/group"), "root:x:0:\napp:x:1000:\nextra:x:2000:app\n");
            if (padding > 0) File.WriteAllBytes(Path.Combine(root, "padding"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(padding));

            var layer = await LayerBlob.FromDirectoryAsync(store.Content, root, LayerCompression.Gzip);
            var config = new ImageConfig
            {
                Created = DateTime.UnixEpoch,
                Config = new ContainerConfig { Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd = ["sh"] },
                RootFs = new RootFs { DiffIds = [layer.DiffId.ToString()] },
                History = [new HistoryEntry { Created = DateTime.UnixEpoch, CreatedBy = "busybox-static from the host" }],
            };
            var configDescriptor = await store.PutConfigAsync(config);
            var manifest = await store.PutManifestAsync(new ImageManifest { MediaType = MediaTypes.OciManifest, Config = configDescriptor, Layers = [layer.Descriptor] });
            await store.TagAsync(ImageReference.Parse(name), manifest);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
