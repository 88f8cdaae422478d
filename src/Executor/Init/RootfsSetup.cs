using Ashlar.Executor.Native;
using static Ashlar.Executor.Native.LibC;

namespace Ashlar.Executor.Init;

/// <summary>
/// Builds the container's filesystem inside its new mount namespace: the overlay rootfs, /proc, /dev, /sys,
/// the caller's mounts, Docker's masked and read-only paths, then pivot_root into it.
/// </summary>
internal static unsafe class RootfsSetup
{
    // Docker's defaults (moby oci/defaults.go): hidden and read-only parts of /proc and /sys.
    private static readonly string[] MaskedPaths =
    [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ];
    private static readonly string[] ReadOnlyPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    private static readonly (string Name, uint Major, uint Minor)[] Devices =
        [("null", 1, 3), ("zero", 1, 5), ("full", 1, 7), ("random", 1, 8), ("urandom", 1, 9), ("tty", 5, 0)];

    private static string _stubLog = "";

    public static void Build(InitSpec spec)
    {
        _stubLog = spec.StubLog;
        // Nothing done in here may propagate back to the host.
        Check(Posix.Mount(null, "/", null, MS_REC | MS_PRIVATE, null), "mount", "make / rprivate");
        var root = spec.RootfsTarget;
        MountRootfs(spec);

        MountProc(root);
        MountDev(root);
        MountSys(root);
        foreach (var mount in spec.Mounts)
            MountExtra(root, mount);
        foreach (var path in MaskedPaths) Mask(root, path);
        foreach (var path in ReadOnlyPaths) MakeReadOnly(root, root + path);
    }

    public static void PivotInto(string root)
    {
        Check(Posix.ChangeDirectory(root), "pivot_root", $"chdir {root}");
        fixed (byte* dot = Utf8("."))
            Check(Syscalls.PivotRoot(dot, dot), "pivot_root", root);
        // The old root is now stacked under "/": detach it so no host path stays reachable.
        Check(Posix.Unmount(".", MNT_DETACH), "pivot_root", "detach the old root");
        Check(Posix.ChangeDirectory("/"), "pivot_root", "chdir /");
    }

    private static void MountRootfs(InitSpec spec)
    {
        var target = spec.RootfsTarget;
        if (spec.Upper is null && spec.Lowers.Count == 1)
        {
            // A read-only view of one layer: overlay needs two lowers without an upper, a bind does it.
            Check(Posix.Mount(spec.Lowers[0], target, null, MS_BIND | MS_REC, null), "mount rootfs", spec.Lowers[0]);
            Check(Posix.Mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null), "mount rootfs", "remount read-only");
            return;
        }
        if (spec.LegacyOverlayMount || !TryMountOverlayWithFsConfig(spec))
            MountOverlayWithRelativePaths(spec);
    }

    /// <summary>The new mount API takes each lower separately ("lowerdir+", kernel 6.8+): no page limit.</summary>
    private static bool TryMountOverlayWithFsConfig(InitSpec spec)
    {
        int fs;
        fixed (byte* name = Utf8("overlay")) fs = Syscalls.FsOpen(name, Syscalls.FSOPEN_CLOEXEC);
        if (fs < 0) return false;
        try
        {
            // Each "lowerdir+" appends one layer below the previous ones: topmost first, as in "lowerdir=top:...:bottom".
            foreach (var lower in spec.Lowers)
                if (!Set(fs, "lowerdir+", lower)) return false;
            if (spec.Upper is not null)
            {
                Check(Set(fs, "upperdir", spec.Upper) ? 0 : -1, "mount rootfs", $"upperdir {spec.Upper}");
                Check(Set(fs, "workdir", spec.Work!) ? 0 : -1, "mount rootfs", $"workdir {spec.Work}");
                AllowVolatile(spec.Work!);
                if (Volatile) SetFlag(fs, "volatile"); // kernels before 5.10 refuse it: a plain mount then
            }
            foreach (var (key, value) in OverlayFeatures) Set(fs, key, value);
            if (Syscalls.FsConfig(fs, Syscalls.FSCONFIG_CMD_CREATE, null, null, 0) < 0)
                throw new InitStepException("mount rootfs", Errno, $"overlay with {spec.Lowers.Count} lowers");
            var mount = Syscalls.FsMount(fs, Syscalls.FSMOUNT_CLOEXEC, 0);
            Check(mount, "mount rootfs", "fsmount overlay");
            fixed (byte* empty = Utf8(""), target = Utf8(spec.RootfsTarget))
                Check(Syscalls.MoveMount(mount, empty, AT_FDCWD, target, Syscalls.MOVE_MOUNT_F_EMPTY_PATH), "mount rootfs", $"move_mount to {spec.RootfsTarget}");
            close(mount);
            return true;
        }
        finally { close(fs); }
    }

    // Copy-up must stay plain so the upper dir maps 1:1 to a layer (no redirects, no metadata-only copies).
    private static readonly (string, string)[] OverlayFeatures = [("index", "off"), ("redirect_dir", "off"), ("metacopy", "off")];

    // Off unless ASHLAR_OVERLAY_VOLATILE=1: see AllowVolatile for the trade.
    private static bool Volatile => Environment.GetEnvironmentVariable("ASHLAR_OVERLAY_VOLATILE") == "1";

    private static bool SetFlag(int fs, string key)
    {
        fixed (byte* k = Utf8(key))
            return Syscalls.FsConfig(fs, Syscalls.FSCONFIG_SET_FLAG, k, null, 0) == 0;
    }

    /// <summary>
    /// With <c>ASHLAR_OVERLAY_VOLATILE=1</c> a writable rootfs is mounted <c>volatile</c>: without it, unmounting the
    /// overlay (when the container's last process exits) syncs the whole host filesystem the upper dir is on
    /// (overlayfs' sync_fs), so a step waits for everyone else's dirty data. But a volatile mount creates
    /// an <c>incompat/volatile</c> marker inside its work dir's <c>work</c>, two more inodes per step that the commit frees again, and on an ext4 that
    /// scans recently freed inodes at every allocation that cost more than the sync saved (a runs30 build: 0.9-1.05 s
    /// CPU and 2.1-2.5 s against 0.4-0.55 s and 0.9-1.6 s), so it is off by default. Volatile, what a step wrote
    /// reaches the disk as any unsynced file does and an fsync inside the container is a no-op.
    /// overlay refuses a second volatile mount of the same work dir until its marker is gone: take it out first.
    /// </summary>
    private static void AllowVolatile(string work)
    {
        fixed (byte* marker = Utf8(Path.Combine(work, "work", "incompat", "volatile")), incompat = Utf8(Path.Combine(work, "work", "incompat")))
        {
            rmdir(marker);
            rmdir(incompat);
        }
    }

    private static bool Set(int fs, string key, string value)
    {
        fixed (byte* k = Utf8(key), v = Utf8(value))
            return Syscalls.FsConfig(fs, Syscalls.FSCONFIG_SET_STRING, k, v, 0) == 0;
    }

    /// <summary>mount(2) options end at one page: chdir to the layers' common parent and name them relatively.</summary>
    private static void MountOverlayWithRelativePaths(InitSpec spec)
    {
        var all = spec.Lowers.Concat(spec.Upper is null ? [] : [spec.Upper, spec.Work!]).ToList();
        var parent = CommonParent(all);
        Check(Posix.ChangeDirectory(parent), "mount rootfs", $"chdir {parent}");
        string Relative(string path) => Path.GetRelativePath(parent, path);
        var options = "lowerdir=" + string.Join(':', spec.Lowers.Select(Relative));
        if (spec.Upper is not null)
            options += $",upperdir={Relative(spec.Upper)},workdir={Relative(spec.Work!)}";
        options += "," + string.Join(',', OverlayFeatures.Select(f => $"{f.Item1}={f.Item2}"));
        if (spec.Upper is not null && Volatile)
        {
            AllowVolatile(spec.Work!);
            if (Posix.Mount("overlay", spec.RootfsTarget, "overlay", 0, options + ",volatile") == 0) return;
        }
        Check(Posix.Mount("overlay", spec.RootfsTarget, "overlay", 0, options), "mount rootfs", $"overlay with {spec.Lowers.Count} lowers");
    }

    private static string CommonParent(List<string> paths)
    {
        var parent = Path.GetDirectoryName(paths[0]) ?? "/";
        while (!paths.All(p => p.StartsWith(parent.TrimEnd('/') + "/", StringComparison.Ordinal)))
            parent = Path.GetDirectoryName(parent) ?? "/";
        return parent;
    }

    private static void MountProc(string root)
    {
        var target = MountPoint(root, "/proc", directory: true);
        Check(Posix.Mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, null), "mount /proc", target);
    }

    private static void MountDev(string root)
    {
        var dev = MountPoint(root, "/dev", directory: true);
        Check(Posix.Mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"), "mount /dev", dev);
        foreach (var (name, major, minor) in Devices)
        {
            Check(Posix.MakeNode($"{dev}/{name}", S_IFCHR | 0x1B6 /* 0666 */, MakeDevice(major, minor)), "mount /dev", $"mknod {name}");
            fixed (byte* p = Utf8($"{dev}/{name}")) chmod(p, 0x1B6); // mknod's mode is cut by the umask
        }
        Directory.CreateDirectory($"{dev}/pts");
        Check(Posix.Mount("devpts", $"{dev}/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"), "mount /dev", "devpts");
        Directory.CreateDirectory($"{dev}/shm");
        Check(Posix.Mount("shm", $"{dev}/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"), "mount /dev", "shm");
        Directory.CreateDirectory($"{dev}/mqueue");
        Posix.Mount("mqueue", $"{dev}/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, null);
        foreach (var (link, target) in new[] { ("ptmx", "pts/ptmx"), ("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                     ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"), ("core", "/proc/kcore") })
            Check(Posix.Symlink(target, $"{dev}/{link}"), "mount /dev", $"symlink {link}");
    }

    private static void MountSys(string root)
    {
        var target = MountPoint(root, "/sys", directory: true);
        if (Posix.Mount("sysfs", target, "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null) == 0) return;
        // Without a network namespace of its own sysfs may refuse a new instance: bind the host's, read-only.
        Check(Posix.Mount("/sys", target, null, MS_BIND | MS_REC, null), "mount /sys", target);
        MakeReadOnly(root, target);
    }

    private static void MountExtra(string root, InitMount mount)
    {
        if (mount.Kind == InitMountKind.Tmpfs)
        {
            var dir = MountPoint(root, mount.Target, directory: true);
            Check(Posix.Mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | (mount.ReadOnly ? MS_RDONLY : 0), mount.Options), "mount", $"tmpfs on {mount.Target}");
            return;
        }
        var source = Posix.LStat(mount.Source) ?? throw new InitStepException("mount", ENOENT, $"bind source {mount.Source} does not exist");
        var target = MountPoint(root, mount.Target, directory: source.IsDirectory);
        Check(Posix.Mount(mount.Source, target, null, MS_BIND | MS_REC, null), "mount", $"bind {mount.Source} on {mount.Target}");
        if (mount.ReadOnly)
            Check(Posix.Mount(null, target, null, MS_BIND | MS_REMOUNT | MS_RDONLY, null), "mount", $"read-only {mount.Target}");
    }

    private static void Mask(string root, string path)
    {
        var full = root + path;
        var status = Posix.LStat(full);
        if (status is null) return;
        if (status.Value.IsDirectory)
            Check(Posix.Mount("tmpfs", full, "tmpfs", MS_RDONLY, null), "mask", path);
        else
            Check(Posix.Mount(root + "/dev/null", full, null, MS_BIND, null), "mask", path);
    }

    private static void MakeReadOnly(string root, string full)
    {
        if (Posix.LStat(full) is null) return;
        Check(Posix.Mount(full, full, null, MS_BIND | MS_REC, null), "read-only", full[root.Length..]);
        Check(Posix.Mount(null, full, null, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, null), "read-only", full[root.Length..]);
    }

    /// <summary>The host path of a mount point in the rootfs, created (as a stub the parent cleans up later) when missing.</summary>
    private static string MountPoint(string root, string containerPath, bool directory)
    {
        var path = ContainerPath.Resolve(root, containerPath);
        if (Posix.LStat(path) is not null) return path;
        // Record every component about to be created, outermost first, so the parent can take them out of the diff.
        var missing = new List<string>();
        for (var p = path; p.Length > root.Length && Posix.LStat(p) is null; p = Path.GetDirectoryName(p)!)
            missing.Insert(0, p[root.Length..]);
        File.AppendAllLines(_stubLog, missing);
        Directory.CreateDirectory(directory ? path : Path.GetDirectoryName(path)!);
        if (!directory) File.WriteAllBytes(path, []);
        return path;
    }

    internal static void Check(int result, string step, string detail)
    {
        if (result < 0) throw new InitStepException(step, Errno, detail);
    }
}
