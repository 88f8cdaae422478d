using System.Diagnostics;

namespace Ashlar.Executor.Tests.Support;

/// <summary>A tiny base image made locally: /bin/busybox and its applets, a passwd with a non-root user.</summary>
internal static class BusyboxRootfs
{
    private static readonly Lazy<string[]> Applets = new(() =>
    {
        var list = Process.Start(new ProcessStartInfo("/bin/busybox", "--list") { RedirectStandardOutput = true })!;
        var names = list.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        list.WaitForExit();
        return names;
    });

    public static void Write(string root)
    {
        foreach (var dir in new[] { "bin", "etc", "tmp", "root", "home/app", "proc", "sys", "dev", "data/dir" })
            Directory.CreateDirectory(Path.Combine(root, dir));
        File.SetUnixFileMode(Path.Combine(root, "tmp"), (UnixFileMode)0x3FF); // 1777
        File.Copy("/bin/busybox", Path.Combine(root, "bin/busybox"));
        foreach (var applet in Applets.Value)
            if (applet != "busybox")
                File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        File.WriteAllText(Path.Combine(root, "etc/passwd"),
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
        File.WriteAllText(Path.Combine(root, "etc/group"),
            "root:x:0:\napp:x:1000:\nextra:x:2000:app\nnogroup:x:65534:\n");
        File.WriteAllText(Path.Combine(root, "data/keep.txt"), "keep\n");
        File.WriteAllText(Path.Combine(root, "data/gone.txt"), "gone\n");
        File.WriteAllText(Path.Combine(root, "data/dir/a.txt"), "a\n");
    }
}
