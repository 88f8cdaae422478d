using System.Diagnostics;

/// <summary>The busybox rootfs both sides run on.</summary>
internal static class Busybox
{
    public static void Write(string root)
    {
        foreach (var dir in new[] { "bin", "etc", "tmp", "proc", "sys", "dev", "root" })
            Directory.CreateDirectory(Path.Combine(root, dir));
        File.Copy("/bin/busybox", Path.Combine(root, "bin/busybox"));
        var list = Process.Start(new ProcessStartInfo("/bin/busybox", "--list") { RedirectStandardOutput = true })!;
        foreach (var applet in list.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (applet != "busybox") File.CreateSymbolicLink(Path.Combine(root, "bin", applet), "busybox");
        list.WaitForExit();
        File.WriteAllText(Path.Combine(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        File.WriteAllText(Path.Combine(root, "etc/group"), "root:x:0:\n");
        foreach (var file in new[] { "etc/hosts", "etc/resolv.conf", "etc/hostname" })
            File.WriteAllText(Path.Combine(root, file), "");
    }

    public static void Copy(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        foreach (var file in Directory.EnumerateFileSystemEntries(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            var info = new FileInfo(file);
            if (info.LinkTarget is { } link) File.CreateSymbolicLink(target, link);
            else if (!Directory.Exists(file)) File.Copy(file, target);
        }
    }
}
