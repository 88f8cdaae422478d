namespace Ashlar.Builder.Solving;

/// <summary>An exclusive lock on a cache mount (sharing=locked/private), held as an open lock file: works across processes and within one.</summary>
internal static class CacheLock
{
    public static async Task<IDisposable> AcquireAsync(string path, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryAcquire(path) is { } held) return held;
            await Task.Delay(100, cancellationToken);
        }
    }

    public static IDisposable? TryAcquire(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }
}
