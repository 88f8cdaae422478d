using Ashlar.Cache.Export;
using Ashlar.Images.References;

namespace Ashlar.Cli.Commands;

/// <summary>Where <c>--cache-to</c>/<c>--cache-from</c> point: BuildKit's <c>type=registry|local|inline,key=value,...</c>.</summary>
internal enum CacheSpecType { Registry, Local, Inline }

/// <summary>One parsed <c>--cache-to</c> or <c>--cache-from</c> value.</summary>
/// <param name="Type">The transport.</param>
/// <param name="Reference">type=registry: <c>ref=</c>.</param>
/// <param name="Directory">type=local: <c>dest=</c> (to) or <c>src=</c> (from).</param>
/// <param name="Mode">type=registry|local export: <c>mode=min|max</c> (min, as BuildKit).</param>
/// <param name="CacheMounts">type=registry|local export: <c>cache-mounts=true</c> also exports the RUN --mount=type=cache contents.</param>
internal sealed record CacheSpec(CacheSpecType Type, ImageReference? Reference, string? Directory, CacheExportMode Mode, bool CacheMounts = false)
{
    /// <summary>Parses <paramref name="text"/> given to <paramref name="flag"/>; a <see cref="FormatException"/> says what is wrong.</summary>
    public static CacheSpec Parse(string text, string flag)
    {
        var export = flag == "--cache-to";
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        // BuildKit's shorthand: a bare reference means type=registry,ref=REFERENCE.
        if (text.Length > 0 && !text.Contains('=') && !text.Contains(','))
            text = $"type=registry,ref={text}";
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            if (equals <= 0) throw new FormatException($"invalid {flag} \"{text}\": \"{part}\" is not KEY=VALUE");
            fields[part[..equals].ToLowerInvariant()] = part[(equals + 1)..];
        }

        var type = fields.GetValueOrDefault("type")?.ToLowerInvariant() switch
        {
            "registry" => CacheSpecType.Registry,
            "local" => CacheSpecType.Local,
            "inline" => CacheSpecType.Inline,
            null => throw new FormatException($"invalid {flag} \"{text}\": type= is required (registry, local or inline)"),
            var other => throw new FormatException($"invalid {flag} \"{text}\": unknown type \"{other}\" (use registry, local or inline)"),
        };
        var mode = fields.GetValueOrDefault("mode")?.ToLowerInvariant() switch
        {
            null or "min" => CacheExportMode.Min,
            "max" => CacheExportMode.Max,
            var other => throw new FormatException($"invalid {flag} \"{text}\": mode must be min or max, not \"{other}\""),
        };
        var cacheMounts = fields.GetValueOrDefault("cache-mounts")?.ToLowerInvariant() switch
        {
            null or "false" => false,
            "true" when export => true,
            "true" => throw new FormatException($"invalid {flag} \"{text}\": cache-mounts is an export option; an imported cache restores them when it has them"),
            var other => throw new FormatException($"invalid {flag} \"{text}\": cache-mounts must be true or false, not \"{other}\""),
        };
        var known = new HashSet<string>(StringComparer.Ordinal) { "type", "mode", "ref", "dest", "src", "cache-mounts", "ignore-error", "oci-mediatypes", "image-manifest", "compression" };
        if (fields.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new FormatException($"invalid {flag} \"{text}\": unknown field \"{unknown}\"");

        switch (type)
        {
            case CacheSpecType.Registry:
                if (!fields.TryGetValue("ref", out var reference) || reference.Length == 0)
                    throw new FormatException($"invalid {flag} \"{text}\": type=registry needs ref=REGISTRY/REPOSITORY[:TAG]");
                if (!ImageReference.TryParse(reference, out var parsed))
                    throw new FormatException($"invalid {flag} \"{text}\": \"{reference}\" is not an image reference");
                return new CacheSpec(type, parsed, null, mode, cacheMounts);
            case CacheSpecType.Local:
                var key = export ? "dest" : "src";
                if (!fields.TryGetValue(key, out var directory) || directory.Length == 0)
                    throw new FormatException($"invalid {flag} \"{text}\": type=local needs {key}=DIRECTORY");
                return new CacheSpec(type, null, Path.GetFullPath(directory), mode, cacheMounts);
            default:
                if (!export)
                    throw new FormatException($"invalid {flag} \"{text}\": an inline cache is read with type=registry,ref=IMAGE");
                return new CacheSpec(type, null, null, CacheExportMode.Min);
        }
    }

    /// <inheritdoc />
    public override string ToString() => Type switch
    {
        CacheSpecType.Registry => Reference!.ToString(),
        CacheSpecType.Local => Directory!,
        _ => "inline",
    };
}
