namespace Ashlar.Cli.Progress;

/// <summary>The <c>--progress</c> values, as docker buildx names them.</summary>
internal enum ProgressMode
{
    /// <summary>The live view when standard error is a terminal, plain otherwise.</summary>
    Auto,
    /// <summary>BuildKit's plain log: <c>#N name</c>, output lines, <c>#N DONE 0.3s</c>.</summary>
    Plain,
    /// <summary>The live terminal view.</summary>
    Tty,
    /// <summary>One JSON object per event per line.</summary>
    RawJson,
    /// <summary>Nothing but the image ID on standard output (<c>-q</c>).</summary>
    Quiet,
}
