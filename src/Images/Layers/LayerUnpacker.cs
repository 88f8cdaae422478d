using System.Formats.Tar;
using Ashlar.Images.Compression;
using Ashlar.Images.Layers.Tar;
using Ashlar.Images.Native;

namespace Ashlar.Images.Layers;

/// <summary>
/// Unpacks a layer tar (plain, gzip or zstd: detected from its bytes) into a directory, streaming: regular files,
/// directories, symlinks, hard links, devices, fifos, xattrs (binary values byte for byte), ownership, modes (setuid/setgid/sticky), mtimes, and
/// OCI whiteouts per <see cref="WhiteoutMode"/>. Hostile entries cannot write outside the directory: names that climb
/// out with <c>..</c> are refused, everything else is resolved inside it (<see cref="RootedDirectory"/>).
/// </summary>
public static class LayerUnpacker
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    /// <summary>Unpacks <paramref name="layer"/> into <paramref name="targetDirectory"/> (created if missing).</summary>
    public static async Task<UnpackResult> UnpackAsync(Stream layer, string targetDirectory, UnpackOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new UnpackOptions();
        var (tarStream, _) = await LayerCodec.OpenDecompressedAsync(layer, leaveOpen: true, cancellationToken);
        await using var _1 = tarStream;
        var hashing = new HashingReadStream(tarStream);
        using var root = new RootedDirectory(targetDirectory);
        var state = new UnpackState(root, options);
        long entries = 0;
        var reader = new LayerTarReader(hashing);
        while (await reader.GetNextEntryAsync(cancellationToken) is { } entry)
        {
            entries++;
            await state.ApplyAsync(entry, cancellationToken);
        }
        await hashing.DrainAsync(cancellationToken);
        state.FinishDirectories();
        return new UnpackResult(hashing.Digest, hashing.BytesRead, entries);
    }

    /// <summary>Unpacks a layer file.</summary>
    public static async Task<UnpackResult> UnpackFileAsync(string layerPath, string targetDirectory, UnpackOptions? options = null, CancellationToken cancellationToken = default)
    {
        await using var file = new FileStream(layerPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await UnpackAsync(file, targetDirectory, options, cancellationToken);
    }

    private sealed class UnpackState(RootedDirectory root, UnpackOptions options)
    {
        // Paths this layer wrote: whiteouts and opaque markers only hide what lower layers put there.
        private readonly HashSet<string> _written = new(StringComparer.Ordinal);
        private readonly List<(string Path, uint Mode, DateTimeOffset Mtime)> _directories = [];

        public async Task ApplyAsync(LayerTarEntry entry, CancellationToken cancellationToken)
        {
            var path = LayerPath.Clean(entry.Name, "layer entry");
            if (path.Length == 0) return; // "./": the root itself keeps its own metadata
            var (parent, name) = LayerPath.Split(path);

            if (options.Whiteouts != WhiteoutMode.Keep && name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
            {
                if (name == OpaqueWhiteout) Opaque(parent, entry.Name);
                else Whiteout(parent, name[WhiteoutPrefix.Length..], entry.Name);
                return;
            }

            using var directory = root.OpenDirectory(parent, create: true, entry.Name);
            var existing = RootedDirectory.TypeOf(directory, name);
            var isDirectory = entry.EntryType == TarEntryType.Directory;
            if (existing is not null && !(isDirectory && existing == LibC.S_IFDIR))
                RootedDirectory.Remove(directory, name);

            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (existing != LibC.S_IFDIR && LibC.MkdirAt(directory.Fd, name, 0x1c0 /* 0700 until finished */) != 0)
                        throw LibC.Failure($"layer entry \"{entry.Name}\": creating directory");
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    await using (var file = RootedDirectory.CreateFile(directory, name, entry.Name))
                        if (entry.Length > 0)
                            await entry.DataStream.CopyToAsync(file, 1 << 17, cancellationToken);
                    break;
                case TarEntryType.SymbolicLink:
                    // Any target is fine: it is only ever followed by resolution inside the root.
                    if (LibC.SymlinkAt(entry.LinkName, directory.Fd, name) != 0)
                        throw LibC.Failure($"layer entry \"{entry.Name}\": creating symlink to \"{entry.LinkName}\"");
                    break;
                case TarEntryType.HardLink:
                    await HardLinkAsync(directory, name, entry, cancellationToken);
                    break;
                case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                    var type = entry.EntryType switch { TarEntryType.CharacterDevice => LibC.S_IFCHR, TarEntryType.BlockDevice => LibC.S_IFBLK, _ => LibC.S_IFIFO };
                    var device = entry.EntryType == TarEntryType.Fifo ? 0UL : LibC.MakeDevice(entry.DeviceMajor, entry.DeviceMinor);
                    if (LibC.MknodAt(directory.Fd, name, type | 0x180, device) != 0)
                        throw LibC.Failure($"layer entry \"{entry.Name}\": creating {entry.EntryType} node (needs CAP_MKNOD)");
                    break;
                default:
                    throw new InvalidDataException($"layer entry \"{entry.Name}\": unsupported tar entry type {entry.EntryType}");
            }
            _written.Add(path);
            ApplyMetadata(directory, name, entry, path);
        }

        private async Task HardLinkAsync(RootedDirectory.DirectoryHandle directory, string name, LayerTarEntry entry, CancellationToken cancellationToken)
        {
            var target = LayerPath.Clean(entry.LinkName, $"hard link \"{entry.Name}\" to");
            if (target.Length == 0) throw new InvalidDataException($"layer entry \"{entry.Name}\": hard link to the root directory");
            var (targetParent, targetName) = LayerPath.Split(target);
            var errno = LibC.ENOENT;
            if (root.TryOpenDirectory(targetParent) is { } targetDirectory)
            {
                using (targetDirectory)
                {
                    // Without AT_SYMLINK_FOLLOW linkat links a symlink itself, never what it points at.
                    if (LibC.LinkAt(targetDirectory.Fd, targetName, directory.Fd, name, 0) == 0) return;
                    errno = LibC.LastError;
                }
            }
            if (errno == LibC.ENOENT && await CopyFromLowerAsync(directory, name, targetParent, targetName, entry, cancellationToken)) return;
            throw LibC.Failure($"layer entry \"{entry.Name}\": hard link to \"{entry.LinkName}\"", errno);
        }

        // A hard link may point at a file of a lower layer. When each layer has its own directory that file is not
        // here: copy it (with its metadata) from the topmost lower directory that has it, resolved inside that one.
        private async Task<bool> CopyFromLowerAsync(RootedDirectory.DirectoryHandle directory, string name, string targetParent, string targetName, LayerTarEntry entry, CancellationToken cancellationToken)
        {
            foreach (var lower in options.LowerDirectories ?? [])
            {
                if (!Directory.Exists(lower)) continue;
                using var lowerRoot = new RootedDirectory(lower);
                if (lowerRoot.TryOpenDirectory(targetParent) is not { } lowerDirectory) continue;
                using (lowerDirectory)
                {
                    var type = RootedDirectory.TypeOf(lowerDirectory, targetName);
                    if (type is null) continue;
                    if (type != LibC.S_IFREG) return false; // a whiteout (or anything else) hides it from the layers below
                    if (LibC.StatxAt(lowerDirectory.Fd, targetName, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var stat) != 0) return false;
                    var fd = LibC.OpenAt(lowerDirectory.Fd, targetName, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                    if (fd < 0) return false;
                    await using (var source = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1 << 16))
                    await using (var copy = RootedDirectory.CreateFile(directory, name, entry.Name))
                        await source.CopyToAsync(copy, 1 << 17, cancellationToken);
                    if (options.PreserveOwnership && LibC.FchownAt(directory.Fd, name, stat.Uid, stat.Gid, LibC.AT_SYMLINK_NOFOLLOW) != 0)
                        throw LibC.Failure($"layer entry \"{entry.Name}\": chown");
                    if (LibC.FchmodAt(directory.Fd, name, stat.Mode & 0xfffu, 0) != 0) throw LibC.Failure($"layer entry \"{entry.Name}\": chmod");
                    SetTimes(directory, name, DateTimeOffset.FromUnixTimeSeconds(stat.ModifyTime.Seconds).AddTicks(stat.ModifyTime.Nanoseconds / 100), entry.Name);
                    return true;
                }
            }
            return false;
        }

        private void ApplyMetadata(RootedDirectory.DirectoryHandle directory, string name, LayerTarEntry entry, string path)
        {
            var isSymlink = entry.EntryType == TarEntryType.SymbolicLink;
            if (entry.EntryType == TarEntryType.HardLink) return; // a link shares its target's inode and metadata
            if (options.PreserveOwnership && LibC.FchownAt(directory.Fd, name, (uint)entry.Uid, (uint)entry.Gid, LibC.AT_SYMLINK_NOFOLLOW) != 0)
                throw LibC.Failure($"layer entry \"{entry.Name}\": chown {entry.Uid}:{entry.Gid}");

            if (entry.Xattrs is not null)
                foreach (var (key, value) in entry.Xattrs)
                    SetXattr(directory, name, key, value, entry.Name);

            var mode = (uint)entry.Mode & 0xfff;
            if (entry.EntryType == TarEntryType.Directory)
            {
                // Mode and times of directories are set last: writing children would change the mtime, and a
                // read-only mode would stop the children from being written.
                _directories.Add((path, mode, entry.ModificationTime));
                return;
            }
            // chmod after chown: chown clears setuid/setgid.
            if (!isSymlink && LibC.FchmodAt(directory.Fd, name, mode, 0) != 0)
                throw LibC.Failure($"layer entry \"{entry.Name}\": chmod");
            SetTimes(directory, name, entry.ModificationTime, entry.Name);
        }

        private void SetXattr(RootedDirectory.DirectoryHandle directory, string name, string key, byte[] value, string entryName)
        {
            try
            {
                LibC.SetXattr(directory.PathOf(name), key, value);
            }
            catch (IOException e) when (options.IgnoreUnsupportedXattrs && e.HResult is LibC.EOPNOTSUPP or LibC.EPERM)
            {
                // e.g. trusted.* without CAP_SYS_ADMIN, or a filesystem without xattrs: the file itself is still right.
                _ = entryName;
            }
        }

        private static unsafe void SetTimes(RootedDirectory.DirectoryHandle directory, string name, DateTimeOffset mtime, string entryName)
        {
            var ticks = mtime.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            var time = new LibC.Timespec { Seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem), Nanoseconds = rem * 100 };
            if (time.Nanoseconds < 0) { time.Seconds--; time.Nanoseconds += 1_000_000_000; }
            var times = stackalloc LibC.Timespec[2] { time, time };
            if (LibC.UtimensAt(directory.Fd, name, times, LibC.AT_SYMLINK_NOFOLLOW) != 0)
                throw LibC.Failure($"layer entry \"{entryName}\": setting times");
        }

        private void Whiteout(string parent, string hidden, string entryName)
        {
            var hiddenPath = parent.Length == 0 ? hidden : $"{parent}/{hidden}";
            LayerPath.Clean(hiddenPath, "whiteout");
            if (hidden.Length == 0 || hidden is "." or ".." || hidden.Contains('/'))
                throw new InvalidDataException($"layer entry \"{entryName}\": malformed whiteout");
            if (options.Whiteouts == WhiteoutMode.Apply)
            {
                // Nothing to hide when the parent is not there (or not a directory).
                if (root.TryOpenDirectory(parent) is not { } existing) return;
                using (existing)
                    if (!_written.Contains(hiddenPath)) RootedDirectory.Remove(existing, hidden);
                return;
            }
            using var directory = root.OpenDirectory(parent, create: true, entryName);
            RootedDirectory.Remove(directory, hidden);
            if (LibC.MknodAt(directory.Fd, hidden, LibC.S_IFCHR, 0) != 0)
                throw LibC.Failure($"layer entry \"{entryName}\": creating overlay whiteout (0/0 char device; needs CAP_MKNOD)");
        }

        private void Opaque(string parent, string entryName)
        {
            using var directory = root.OpenDirectory(parent, create: true, entryName);
            if (options.Whiteouts == WhiteoutMode.Overlay)
            {
                LibC.SetXattr(directory.PathOf("."), "trusted.overlay.opaque", "y"u8);
                return;
            }
            var prefix = parent.Length == 0 ? "" : parent + "/";
            foreach (var child in Directory.EnumerateFileSystemEntries($"/proc/self/fd/{directory.Fd}").Select(Path.GetFileName).ToList())
                if (!_written.Contains(prefix + child))
                    RootedDirectory.Remove(directory, child!);
        }

        public void FinishDirectories()
        {
            // Deepest first, so setting a parent's times is not undone by work on its children.
            foreach (var (path, mode, mtime) in _directories.OrderByDescending(d => d.Path.Count(c => c == '/')))
            {
                var (parent, name) = LayerPath.Split(path);
                if (root.TryOpenDirectory(parent) is not { } directory) continue; // removed by a later whiteout
                using (directory)
                {
                    if (RootedDirectory.TypeOf(directory, name) != LibC.S_IFDIR) continue;
                    if (LibC.FchmodAt(directory.Fd, name, mode, 0) != 0) throw LibC.Failure($"layer entry \"{path}/\": chmod");
                    SetTimes(directory, name, mtime, path + "/");
                }
            }
        }
    }
}
