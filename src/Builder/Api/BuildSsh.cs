namespace Ashlar.Builder;

/// <summary>
/// An SSH agent for <c>RUN --mount=type=ssh</c>, as <c>docker build --ssh</c> forwards it: the steps that ask for
/// <see cref="Id"/> reach the agent through a socket inside the container; the keys never enter the build.
/// </summary>
/// <param name="Id">The id RUN steps ask for (<c>default</c> unless <c>id=</c> says otherwise).</param>
/// <param name="Sockets">The agent's socket; empty means the caller's <c>SSH_AUTH_SOCK</c>.</param>
public sealed record BuildSsh(string Id, IReadOnlyList<string> Sockets)
{
    /// <summary>Parses docker's <c>default</c>, <c>default=/path/to/agent.sock</c> or <c>ID=SOCKET</c>.</summary>
    /// <exception cref="FormatException">An empty id or path.</exception>
    public static BuildSsh Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var equals = text.IndexOf('=');
        var id = (equals < 0 ? text : text[..equals]).Trim();
        if (id.Length == 0) throw new FormatException($"invalid --ssh \"{text}\": expected default|ID[=SOCKET]");
        var paths = equals < 0 ? [] : text[(equals + 1)..].Split(',').Select(p => p.Trim()).ToList();
        if (paths.Any(p => p.Length == 0)) throw new FormatException($"invalid --ssh \"{text}\": an empty path");
        return new BuildSsh(id, paths);
    }
}
