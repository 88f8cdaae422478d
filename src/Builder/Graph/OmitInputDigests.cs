namespace Ashlar.Builder.Graph;

/// <summary>Marks (on this thread) that an op's definition is being written for a cache key, without input op digests.</summary>
internal static class OmitInputDigests
{
    [ThreadStatic] private static bool _active;

    public static bool Active => _active;

    public static Scope Enter()
    {
        var previous = _active;
        _active = true;
        return new Scope(previous);
    }

    internal readonly struct Scope(bool previous) : IDisposable
    {
        public void Dispose() => _active = previous;
    }
}
