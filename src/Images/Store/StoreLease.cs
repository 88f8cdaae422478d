using System.Globalization;
using System.Text;
using Ashlar.Images.Content;
using Ashlar.Images.Native;
using Microsoft.Win32.SafeHandles;

namespace Ashlar.Images.Store;

/// <summary>
/// A process's claim on what it is using in a store, across processes: the file <c>&lt;root&gt;/leases/&lt;id&gt;</c>,
/// held with an exclusive flock(2) while the lease is open. The kernel drops the lock when the process dies (even by
/// SIGKILL), so a lease file nobody has locked is the leftover of a dead process.
/// </summary>
/// <remarks>
/// <para>What a lease holds, by naming convention: the snapshots named <c>build:&lt;build id&gt;:...</c> for the
/// lease <c>build-&lt;build id&gt;</c>, the snapshot and scratch directory named like the lease (<c>run-&lt;id&gt;</c>,
/// <c>tmp/build-&lt;id&gt;</c>), and every blob and cache entry written or used since the lease began. A holder can
/// name more with <see cref="HoldBlob"/> and <see cref="HoldSnapshot"/> (e.g. a cache hit it is about to mount).</para>
/// <para><see cref="StoreGarbageCollector"/> never removes what a live lease holds, and collects what dead ones held.</para>
/// </remarks>
public sealed class StoreLease : IDisposable
{
    /// <summary>The folder under the store root that holds the lease files.</summary>
    public const string DirectoryName = "leases";

    private readonly SafeFileHandle _file;
    private readonly Lock _lock = new();
    private long _length;
    private bool _disposed;

    private StoreLease(string id, string path, SafeFileHandle file, long length)
    {
        Id = id;
        Path = path;
        _file = file;
        _length = length;
    }

    /// <summary>The lease's id, e.g. <c>build-0123456789ab</c>.</summary>
    public string Id { get; }

    /// <summary>The lease file.</summary>
    public string Path { get; }

    /// <summary>
    /// Takes the lease <paramref name="id"/> (letters, digits, '.', '_' and '-') on the store at
    /// <paramref name="storeRoot"/>. Throws <see cref="InvalidOperationException"/> when a live process holds it.
    /// </summary>
    public static StoreLease Acquire(string storeRoot, string id)
    {
        if (id.Length == 0 || id.Any(c => !char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-')) || id[0] == '.')
            throw new ArgumentException($"invalid lease id \"{id}\": use letters, digits, '.', '_' and '-'", nameof(id));
        var directory = System.IO.Path.Combine(storeRoot, DirectoryName);
        Directory.CreateDirectory(directory);
        var path = System.IO.Path.Combine(directory, id);
        while (true)
        {
            var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_EXCL | LibC.O_CLOEXEC, 0x1a4 /* 0644 */);
            if (fd < 0)
            {
                var errno = LibC.LastError;
                if (errno != LibC.EEXIST) throw LibC.Failure($"creating lease {path}", errno);
                // A file by that name: a live holder, or a dead one's leftover that is ours to clear.
                if (ProbeAndRemoveIfDead(path) == Probe.Live)
                    throw new InvalidOperationException($"lease {id} on {storeRoot} is held by a running process");
                continue;
            }
            if (!TryLock(fd) || !SameFile(fd, path))
            {
                // A collector saw the fresh, not yet locked file as dead and unlinked it (or is about to): start over.
                LibC.Close(fd);
                continue;
            }
            var handle = new SafeFileHandle(fd, ownsHandle: true);
            var header = Encoding.UTF8.GetBytes($"pid {Environment.ProcessId}\nstarted {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}\n");
            RandomAccess.Write(handle, header, 0);
            return new StoreLease(id, path, handle, header.Length);
        }
    }

    /// <summary>Names a blob this lease holds: it stays even when nothing else references it.</summary>
    public void HoldBlob(Digest digest) => Append($"blob {digest}");

    /// <summary>Names a snapshot (e.g. a chain ID) this lease holds: it and its parents stay.</summary>
    public void HoldSnapshot(string name)
    {
        if (name.Contains('\n')) throw new ArgumentException("a snapshot name has no line breaks", nameof(name));
        Append($"snapshot {name}");
    }

    /// <summary>
    /// Runs <paramref name="lookupAndHold"/> (e.g. a cache lookup that then calls <see cref="HoldSnapshot"/> and
    /// <see cref="HoldBlob"/> on a hit) so that no garbage collection runs in between: a collection holds the store's
    /// GC lock exclusively for its whole run, this takes it shared. Without it, a collection that listed the entry
    /// before the hit could still remove what the hit is about to use.
    /// </summary>
    public async Task<T> GuardAsync<T>(Func<Task<T>> lookupAndHold, CancellationToken cancellationToken = default)
    {
        var storeRoot = System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(Path))!;
        using var _ = await FileLock.AcquireAsync(StoreGarbageCollector.LockPathOf(storeRoot), cancellationToken, shared: true);
        return await lookupAndHold();
    }

    private void Append(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            RandomAccess.Write(_file, bytes, _length);
            _length += bytes.Length;
        }
    }

    /// <summary>Ends the lease: its file goes, and with the lock what it held becomes collectable.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            // Unlink while still locked, so a collector never sees the file unlocked before it is gone.
            try { File.Delete(Path); }
            catch (IOException) { }
            _file.Dispose();
        }
    }

    /// <summary>
    /// Reads every lease of the store. With <paramref name="removeDead"/>, the files of dead leases are deleted
    /// (do that only after collecting what they held, or with the naming rules that find it without the file).
    /// </summary>
    public static LiveLeases ReadAll(string storeRoot, bool removeDead = false)
    {
        var directory = System.IO.Path.Combine(storeRoot, DirectoryName);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var pids = new HashSet<int>();
        var blobs = new HashSet<Digest>();
        var snapshots = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? oldest = null;
        if (Directory.Exists(directory))
        {
            foreach (var path in Directory.EnumerateFiles(directory))
            {
                var probe = removeDead ? ProbeAndRemoveIfDead(path) : IsLocked(path) ? Probe.Live : Probe.Dead;
                if (probe != Probe.Live) continue;
                var id = System.IO.Path.GetFileName(path);
                ids.Add(id);
                if (ReadText(path) is not { } text) continue; // ended meanwhile
                var started = DateTimeOffset.UtcNow; // not written yet: it has only just begun
                foreach (var line in text.Split('\n'))
                {
                    var space = line.IndexOf(' ');
                    if (space < 0) continue; // the last line may still be being written
                    var (kind, value) = (line[..space], line[(space + 1)..]);
                    switch (kind)
                    {
                        case "pid" when int.TryParse(value, out var pid): pids.Add(pid); break;
                        case "started" when long.TryParse(value, CultureInfo.InvariantCulture, out var ms): started = DateTimeOffset.FromUnixTimeMilliseconds(ms); break;
                        case "blob" when Digest.TryParse(value, out var digest): blobs.Add(digest); break;
                        case "snapshot": snapshots.Add(value); break;
                    }
                }
                if (oldest is null || started < oldest) oldest = started;
            }
        }
        return new LiveLeases(ids, pids, blobs, snapshots, oldest);
    }

    private enum Probe { Live, Dead, Gone }

    // Through a plain descriptor: .NET's own open takes a shared flock, which the holder's exclusive one refuses.
    private static string? ReadText(string path)
    {
        var fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) return null;
        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        var bytes = new byte[RandomAccess.GetLength(handle)];
        var read = 0;
        while (read < bytes.Length)
        {
            var n = RandomAccess.Read(handle, bytes.AsSpan(read), read);
            if (n == 0) break;
            read += n;
        }
        return Encoding.UTF8.GetString(bytes, 0, read);
    }

    private static bool IsLocked(string path)
    {
        var fd = LibC.Open(path, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0) return false;
        try { return LibC.Flock(fd, LibC.LOCK_SH | LibC.LOCK_NB) != 0 && LibC.LastError == LibC.EWOULDBLOCK; }
        finally { LibC.Close(fd); }
    }

    private static Probe ProbeAndRemoveIfDead(string path)
    {
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0) return Probe.Gone;
        try
        {
            if (!TryLock(fd)) return Probe.Live;
            // Ours now; unlink only the very file we locked (a new holder may have replaced it meanwhile).
            if (SameFile(fd, path)) File.Delete(path);
            return Probe.Dead;
        }
        finally
        {
            LibC.Close(fd);
        }
    }

    private static bool TryLock(int fd)
    {
        while (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            var errno = LibC.LastError;
            if (errno == LibC.EINTR) continue;
            if (errno == LibC.EWOULDBLOCK) return false;
            throw LibC.Failure("locking a lease file", errno);
        }
        return true;
    }

    private static bool SameFile(int fd, string path)
    {
        if (LibC.StatxAt(fd, "", LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, out var open) != 0) return false;
        if (LibC.StatxAt(LibC.AT_FDCWD, path, LibC.AT_SYMLINK_NOFOLLOW, LibC.STATX_BASIC_STATS, out var named) != 0) return false;
        return open.Inode == named.Inode && open.DevMajor == named.DevMajor && open.DevMinor == named.DevMinor;
    }
}
