namespace Ashlar.Builder;

/// <summary>The build failed: bad input or a failing step. The message names the file, line and cause.</summary>
public sealed class BuildException : Exception
{
    /// <summary>Creates the error.</summary>
    public BuildException(string message, string? file = null, int line = 0, Exception? inner = null)
        : base(file is null ? message : line > 0 ? $"{file}:{line}: {message}" : $"{file}: {message}", inner)
    {
        Reason = message;
        File = file;
        Line = line;
    }

    /// <summary>The cause without the location.</summary>
    public string Reason { get; }

    /// <summary>The Dockerfile (or other input) at fault, if known.</summary>
    public string? File { get; }

    /// <summary>The 1-based line in <see cref="File"/>, 0 when not known.</summary>
    public int Line { get; }

    /// <summary>The failing RUN's exit code.</summary>
    public int? ExitCode { get; init; }

    /// <summary>The Dockerfile lines around <see cref="Line"/>, numbered, for display.</summary>
    public IReadOnlyList<string> Excerpt { get; init; } = [];

    /// <summary>True when the request itself was malformed (docker's exit code 2 territory is the CLI's; this marks input errors).</summary>
    public bool IsInputError { get; init; }

    internal BuildException WithExcerpt(IReadOnlyList<string> excerpt) =>
        new(Reason, File, Line, InnerException) { ExitCode = ExitCode, IsInputError = IsInputError, Excerpt = excerpt };
}
