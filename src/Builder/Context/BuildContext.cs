namespace Ashlar.Builder.Context;

/// <summary>
/// The build context: a directory with its ignore file applied. Ignored paths are not part of it (COPY cannot see
/// them, a missing-source error says they were ignored), ignored directories are never walked unless a
/// <c>!pattern</c> can re-include something under them, and files land as 0:0 unless <c>--chown</c> says otherwise.
/// </summary>
public sealed class BuildContext : SourceTree
{
    private BuildContext(string root, IgnoreRules ignore, string? ignoreFile, ContextStatCache? statCache)
        : base(root, "build context", ignore, statCache, keepsOwnership: false)
    {
        IgnoreFile = ignoreFile;
    }

    /// <summary>The ignore file that was applied, or null when there was none.</summary>
    public string? IgnoreFile { get; }

    /// <summary>
    /// Opens <paramref name="directory"/> as the build context. The ignore file is <c>&lt;Dockerfile&gt;.dockerignore</c>
    /// next to <paramref name="dockerfilePath"/> when that exists, else <c>.dockerignore</c> at the context root
    /// (BuildKit's rule). A malformed ignore file throws naming the file and line.
    /// </summary>
    /// <param name="directory">The context directory.</param>
    /// <param name="dockerfilePath">The Dockerfile's path, or null (Dockerfile given as text or from stdin).</param>
    /// <param name="statCache">Digests remembered from earlier builds, or null to hash every file read.</param>
    /// <param name="cancellationToken">Stops reading the ignore file.</param>
    public static async Task<BuildContext> OpenAsync(string directory, string? dockerfilePath = null, ContextStatCache? statCache = null, CancellationToken cancellationToken = default)
    {
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"build context \"{directory}\" is not a directory");
        string? ignoreFile = null;
        if (dockerfilePath is not null && File.Exists(dockerfilePath + ".dockerignore"))
            ignoreFile = dockerfilePath + ".dockerignore";
        else if (File.Exists(Path.Combine(directory, ".dockerignore")))
            ignoreFile = Path.Combine(directory, ".dockerignore");

        var rules = IgnoreRules.None;
        if (ignoreFile is not null)
            rules = IgnoreRules.Parse(await File.ReadAllTextAsync(ignoreFile, cancellationToken), Path.GetFileName(ignoreFile));
        return new BuildContext(directory, rules, ignoreFile, statCache);
    }
}
