namespace Ashlar.Builder;

/// <summary>A secret for <c>RUN --mount=type=secret</c>, read from a file or an environment variable of the caller.</summary>
/// <param name="Id">The id RUN steps ask for.</param>
/// <param name="SourceFile">A file holding the secret.</param>
/// <param name="EnvironmentVariable">An environment variable holding the secret (used when <paramref name="SourceFile"/> is null).</param>
public sealed record BuildSecret(string Id, string? SourceFile, string? EnvironmentVariable = null)
{
    /// <summary>Parses docker's <c>id=mysecret,src=/path</c> or <c>id=mysecret,env=VAR</c> (type=file|env accepted).</summary>
    /// <exception cref="FormatException">Missing id or an unknown key.</exception>
    public static BuildSecret Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? id = null, src = null, env = null, type = null;
        foreach (var field in text.Split(','))
        {
            var equals = field.IndexOf('=');
            if (equals < 0)
                throw new FormatException($"invalid --secret \"{text}\": \"{field}\" is not key=value");
            var value = field[(equals + 1)..];
            switch (field[..equals].Trim().ToLowerInvariant())
            {
                case "id": id = value; break;
                case "src" or "source": src = value; break;
                case "env": env = value; break;
                case "type": type = value; break;
                default: throw new FormatException($"invalid --secret \"{text}\": unknown key \"{field[..equals]}\"");
            }
        }
        if (type is not (null or "file" or "env"))
            throw new FormatException($"invalid --secret \"{text}\": type must be file or env");
        id ??= src is not null ? Path.GetFileName(src) : env;
        if (string.IsNullOrEmpty(id))
            throw new FormatException($"invalid --secret \"{text}\": id= is required");
        if (src is null && env is null)
        {
            // docker: with only an id, a type=env secret reads the variable of that name, a file one the file.
            if (type == "file") throw new FormatException($"invalid --secret \"{text}\": src= is required");
            env = id;
        }
        return new BuildSecret(id, src, env);
    }
}
