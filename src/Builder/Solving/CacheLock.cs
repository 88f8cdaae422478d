using Ashlar.Images.Native;

namespace Ashlar.Builder.Solving;

/// <summary>
/// An exclusive lock on a cache mount (sharing=locked, and sharing=private's claim), held as flock(2) on a lock file
/// next to the cache: it excludes other steps of this build (each holds its own open file) and other ashlar processes
/// on the same store alike, and goes away with the process if it dies.
/// </summary>
internal sealed class CacheLock : IDisposable
{
    private const int LockNonBlocking = 4; // LOCK_NB
    private int _fd;

    private CacheLock(int fd) => _fd = fd;

    /// <summary>Waits until the lock is held; <paramref name="waiting"/> is called once if it is held elsewhere first.</summary>
    public static async Task<IDisposable> AcquireAsync(string path, CancellationToken cancellationToken, Action? waiting = null)
    {
        var delay = 20;
        while (true)
        {
            if (TryAcquire(path) is { } held) return held;
            waiting?.Invoke();
            waiting = null;
            await Task.Delay(delay, cancellationToken);
            delay = Math.Min(delay * 2, 250);
        }
    }

    /// <summary>The lock if nobody else holds it, else null.</summary>
    public static IDisposable? TryAcquire(string path)
    {
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0x1a4 /* 0644 */);
        if (fd < 0) throw LibC.Failure($"opening cache lock {path}");
        while (LibC.Flock(fd, LibC.LOCK_EX | LockNonBlocking) != 0)
        {
            if (LibC.LastError == LibC.EINTR) continue;
            LibC.Close(fd); // EWOULDBLOCK: held elsewhere
            return null;
        }
        return new CacheLock(fd);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return;
        LibC.Flock(fd, LibC.LOCK_UN);
        LibC.Close(fd);
    }
}
