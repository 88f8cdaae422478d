namespace Ashlar.Builder.FileOps;

/// <summary>A COPY/ADD source that is not in its tree, or that .dockerignore excluded from the build context.</summary>
public sealed class SourceNotFoundException : FileNotFoundException
{
    internal SourceNotFoundException(string source, string tree, string message, bool excluded) : base(message, source)
    {
        Source = source;
        Tree = tree;
        ExcludedByIgnoreFile = excluded;
    }

    /// <summary>The source path as written.</summary>
    public new string Source { get; }

    /// <summary>Where it was looked up ("build context", "stage \"build\"").</summary>
    public string Tree { get; }

    /// <summary>True when the path exists but the ignore file excluded it.</summary>
    public bool ExcludedByIgnoreFile { get; }
}
