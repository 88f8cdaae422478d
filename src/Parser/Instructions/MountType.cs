namespace Ashlar.Parser.Instructions;

/// <summary>The kind of a <c>RUN --mount</c> (https://docs.docker.com/reference/dockerfile/#run---mount).</summary>
public enum MountType
{
    /// <summary>A directory or file from the context, a stage or an image (read-only unless <c>rw</c>).</summary>
    Bind,
    /// <summary>A persistent cache directory shared between builds.</summary>
    Cache,
    /// <summary>An empty tmpfs.</summary>
    Tmpfs,
    /// <summary>A secret file (or environment variable) that never reaches a layer.</summary>
    Secret,
    /// <summary>An SSH agent socket.</summary>
    Ssh,
}
