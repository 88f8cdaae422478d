namespace Ashlar.Builder;

/// <summary>One <c>--output</c>: an exporter and, for files, where to write.</summary>
/// <param name="Type">The exporter.</param>
/// <param name="Destination">A file (docker, oci, tar) or directory (local); <c>-</c> means standard output for tars.</param>
public sealed record BuildOutput(BuildOutputType Type, string? Destination = null)
{
    /// <summary>Parses docker's CSV form, e.g. <c>type=docker,dest=app.tar</c> or a bare path (local).</summary>
    /// <exception cref="FormatException">An unknown type or key, or a file output without dest.</exception>
    public static BuildOutput Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Contains('='))
            return text == "-" ? new BuildOutput(BuildOutputType.Tar, "-") : new BuildOutput(BuildOutputType.Local, text);
        BuildOutputType? type = null;
        string? dest = null;
        foreach (var field in text.Split(','))
        {
            var equals = field.IndexOf('=');
            var key = equals < 0 ? field : field[..equals];
            var value = equals < 0 ? "" : field[(equals + 1)..];
            switch (key.Trim().ToLowerInvariant())
            {
                case "type":
                    type = value.ToLowerInvariant() switch
                    {
                        "image" or "registry" => BuildOutputType.Image,
                        "docker" => BuildOutputType.Docker,
                        "oci" => BuildOutputType.Oci,
                        "local" => BuildOutputType.Local,
                        "tar" => BuildOutputType.Tar,
                        _ => throw new FormatException($"invalid --output \"{text}\": unknown type \"{value}\" (use image, docker, oci, local or tar)"),
                    };
                    break;
                case "dest":
                    dest = value;
                    break;
                case "name" or "push" or "compression" or "oci-mediatypes":
                    break; // accepted for compatibility; names come from -t
                default:
                    throw new FormatException($"invalid --output \"{text}\": unknown key \"{key}\"");
            }
        }
        if (type is null)
            throw new FormatException($"invalid --output \"{text}\": missing type=");
        if (type is BuildOutputType.Local or BuildOutputType.Tar or BuildOutputType.Oci && dest is null)
            throw new FormatException($"invalid --output \"{text}\": type={type.ToString()!.ToLowerInvariant()} needs dest=");
        return new BuildOutput(type.Value, dest);
    }
}
