using Ashlar.Images.Native;

namespace Ashlar.Images.Store;

/// <summary>An exclusive flock(2) on a lock file, so several ashlar processes can share one store.</summary>
internal sealed class FileLock : IDisposable
{
    private int _fd;

    private FileLock(int fd) => _fd = fd;

    /// <summary>Blocks (off the calling thread) until the lock is held; <paramref name="shared"/> lets other shared holders in.</summary>
    public static async Task<FileLock> AcquireAsync(string path, CancellationToken cancellationToken, bool shared = false)
    {
        var operation = shared ? LibC.LOCK_SH : LibC.LOCK_EX;
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0x1a4 /* 0644 */);
        if (fd < 0) throw LibC.Failure($"opening lock file {path}");
        try
        {
            await Task.Run(() =>
            {
                while (LibC.Flock(fd, operation) != 0)
                {
                    var errno = LibC.LastError;
                    if (errno != LibC.EINTR) throw LibC.Failure($"locking {path}", errno);
                }
            }, cancellationToken);
            return new FileLock(fd);
        }
        catch
        {
            LibC.Close(fd);
            throw;
        }
    }

    /// <summary>Takes the lock if nobody holds it; null when another process (or open file description) does.</summary>
    public static FileLock? TryAcquire(string path)
    {
        var fd = LibC.Open(path, LibC.O_RDWR | LibC.O_CREAT | LibC.O_CLOEXEC, 0x1a4 /* 0644 */);
        if (fd < 0) throw LibC.Failure($"opening lock file {path}");
        while (LibC.Flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            var errno = LibC.LastError;
            if (errno == LibC.EINTR) continue;
            LibC.Close(fd);
            if (errno == LibC.EWOULDBLOCK) return null;
            throw LibC.Failure($"locking {path}", errno);
        }
        return new FileLock(fd);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0) return;
        LibC.Flock(fd, LibC.LOCK_UN);
        LibC.Close(fd);
    }
}
