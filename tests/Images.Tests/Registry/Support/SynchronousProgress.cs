namespace Ashlar.Images.Tests.Registry.Support;

/// <summary>Collects progress reports as they happen (Progress&lt;T&gt; would post them later, to a context).</summary>
internal sealed class SynchronousProgress<T>(List<T> sink) : IProgress<T>
{
    public void Report(T value)
    {
        lock (sink) sink.Add(value);
    }
}
