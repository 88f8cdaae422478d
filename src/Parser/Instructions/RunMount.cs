using System.Globalization;
using Ashlar.Parser.Syntax;

namespace Ashlar.Parser.Instructions;

/// <summary>
/// One <c>RUN --mount=...</c>, parsed from its CSV options with BuildKit's rules and defaults
/// (https://docs.docker.com/reference/dockerfile/#run---mount). Keys are case-insensitive.
/// </summary>
public sealed record RunMount
{
    /// <summary><c>type=</c>; <see cref="MountType.Bind"/> when not given.</summary>
    public MountType Type { get; init; } = MountType.Bind;

    /// <summary><c>from=</c>: a stage, image or named context to take the source from; null for the build context.</summary>
    public string? From { get; init; }

    /// <summary><c>source=</c>/<c>src=</c>: the path inside <see cref="From"/> (bind, cache), or the secret id alias.</summary>
    public string? Source { get; init; }

    /// <summary><c>target=</c>/<c>dst=</c>/<c>destination=</c>: where it is mounted. See <see cref="EffectiveTarget"/>.</summary>
    public string? Target { get; init; }

    /// <summary><c>ro</c>/<c>readonly</c>, <c>rw</c>/<c>readwrite</c>; bind, secret and ssh mounts default to read-only.</summary>
    public bool ReadOnly { get; init; }

    /// <summary><c>id=</c>: cache id, secret id or ssh id. See <see cref="EffectiveId"/>.</summary>
    public string? Id { get; init; }

    /// <summary><c>sharing=</c> (cache mounts only); <see cref="CacheSharing.Shared"/> by default.</summary>
    public CacheSharing Sharing { get; init; } = CacheSharing.Shared;

    /// <summary><c>size=</c> in bytes (tmpfs only), or null for no limit.</summary>
    public long? SizeLimit { get; init; }

    /// <summary><c>mode=</c> (octal; cache, secret, ssh); null for the default (see <see cref="EffectiveMode"/>).</summary>
    public int? Mode { get; init; }

    /// <summary><c>uid=</c> (cache, secret, ssh); null means 0.</summary>
    public int? Uid { get; init; }

    /// <summary><c>gid=</c> (cache, secret, ssh); null means 0.</summary>
    public int? Gid { get; init; }

    /// <summary><c>required</c> (secret, ssh): fail when the secret or agent is not provided. Default false.</summary>
    public bool Required { get; init; }

    /// <summary><c>env=</c> (secret): expose the secret as this environment variable instead of (or as well as) a file.</summary>
    public string? Env { get; init; }

    /// <summary>The option text as written.</summary>
    public required string Raw { get; init; }

    /// <summary>
    /// True when the options reference variables that were not expanded yet: re-parse with
    /// <see cref="Parse(string, Func{string, string}?)"/> and an expander once the build arguments are known.
    /// </summary>
    public bool NeedsExpansion { get; init; }

    /// <summary>The id the builder uses: cache defaults to the target, secret to the target's file name, ssh to <c>default</c>.</summary>
    public string? EffectiveId => Id ?? Type switch
    {
        MountType.Cache => Target,
        MountType.Secret => Source ?? (Target is null ? null : Path.GetFileName(Target.TrimEnd('/'))),
        MountType.Ssh => "default",
        _ => null,
    };

    /// <summary>The mount point: secrets default to <c>/run/secrets/&lt;id&gt;</c>, ssh to <c>/run/buildkit/ssh_agent.0</c>.</summary>
    public string? EffectiveTarget => Target ?? Type switch
    {
        MountType.Secret when Env is null => "/run/secrets/" + EffectiveId,
        MountType.Ssh => "/run/buildkit/ssh_agent.0",
        _ => null,
    };

    /// <summary>The file mode: cache 0755, secret 0400, ssh 0600 unless <c>mode=</c> says otherwise.</summary>
    public int? EffectiveMode => Mode ?? Type switch
    {
        MountType.Cache => Convert.ToInt32("755", 8),
        MountType.Secret => Convert.ToInt32("400", 8),
        MountType.Ssh => Convert.ToInt32("600", 8),
        _ => null,
    };

    /// <summary>
    /// Parses the value of one <c>--mount</c> flag. With <paramref name="expand"/>, every value is expanded first
    /// (as BuildKit does at build time); without it, values that contain <c>$</c> are kept as written and
    /// <see cref="NeedsExpansion"/> is set.
    /// </summary>
    /// <exception cref="ParseError">The options are malformed, unknown, or not allowed for the mount type.</exception>
    public static RunMount Parse(string spec, Func<string, string>? expand = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var fields = spec.Length == 0 ? null : FlagGrammar.SplitCsv(spec);
        if (fields is null)
            throw new ParseError($"invalid mount options \"{spec}\": not a comma-separated list of key=value", hint: "quote a value that contains a comma or a quote: \"source=a,b\"");

        // Options apply in order (BuildKit checks "required" and "sharing" against the type seen so far).
        var type = MountType.Bind;
        string? from = null, source = null, target = null, id = null, env = null;
        bool readOnly = false, readOnlyGiven = false, required = false, needsExpansion = false;
        var sharing = CacheSharing.Shared;
        var sharingGiven = false;
        long? sizeLimit = null;
        int? mode = null, uid = null, gid = null;
        foreach (var field in fields)
        {
            var equals = field.IndexOf('=');
            var key = (equals < 0 ? field : field[..equals]).ToLowerInvariant();
            if (equals < 0)
            {
                switch (key)
                {
                    case "readonly" or "ro":
                        (readOnly, readOnlyGiven) = (true, true);
                        continue;
                    case "readwrite" or "rw":
                        (readOnly, readOnlyGiven) = (false, true);
                        continue;
                    case "required" when type is MountType.Secret or MountType.Ssh:
                        required = true;
                        continue;
                    case "required":
                        throw new ParseError($"unexpected key 'required' for mount type '{Name(type)}'");
                    default:
                        throw UnknownKey(key, field);
                }
            }

            var value = field[(equals + 1)..];
            if (expand is not null)
            {
                value = expand(value);
            }
            else if (value.Contains('$'))
            {
                if (key == "from" && value.IndexOf('$') != value.Length - 1)
                    throw new ParseError($"'{key}' doesn't support variable expansion, define alias stage instead");
                needsExpansion = true;
                // Typed values are only known after expansion; keep the text ones as written.
                if (key is "mode" or "uid" or "gid" or "size" or "readonly" or "ro" or "readwrite" or "rw" or "required" or "type" or "sharing")
                    continue;
            }

            switch (key)
            {
                case "type":
                    type = ParseType(value);
                    break;
                case "from":
                    from = value;
                    break;
                case "source" or "src":
                    source = value;
                    break;
                case "target" or "dst" or "destination":
                    target = value;
                    break;
                case "readonly" or "ro":
                    (readOnly, readOnlyGiven) = (ParseBool(key, value), true);
                    break;
                case "readwrite" or "rw":
                    (readOnly, readOnlyGiven) = (!ParseBool(key, value), true);
                    break;
                case "required":
                    if (type is not (MountType.Secret or MountType.Ssh))
                        throw new ParseError($"unexpected key 'required' for mount type '{Name(type)}'");
                    required = ParseBool(key, value);
                    break;
                case "sharing":
                    if (type != MountType.Cache)
                        throw new ParseError($"invalid key 'sharing' for mount type '{Name(type)}'");
                    (sharing, sharingGiven) = (ParseSharing(value), true);
                    break;
                case "id":
                    id = value;
                    break;
                case "size":
                    if (type != MountType.Tmpfs)
                        throw new ParseError($"invalid key 'size' for mount type '{Name(type)}'");
                    sizeLimit = ParseSize(value);
                    break;
                case "mode":
                    mode = ParseNumber(key, value, 8);
                    break;
                case "uid":
                    uid = ParseNumber(key, value, 10);
                    break;
                case "gid":
                    gid = ParseNumber(key, value, 10);
                    break;
                case "env":
                    if (type != MountType.Secret)
                        throw new ParseError($"invalid key 'env' for mount type '{Name(type)}'");
                    env = value;
                    break;
                default:
                    throw UnknownKey(key, field);
            }
        }

        if (type is not (MountType.Secret or MountType.Ssh or MountType.Cache))
        {
            if (mode is not null)
                throw new ParseError($"mode not allowed for \"{Name(type)}\" type mounts");
            if (uid is not null)
                throw new ParseError($"uid not allowed for \"{Name(type)}\" type mounts");
            if (gid is not null)
                throw new ParseError($"gid not allowed for \"{Name(type)}\" type mounts");
        }
        if (sharingGiven && type != MountType.Cache)
            throw new ParseError($"invalid cache sharing set for {Name(type)} mount");
        if (!readOnlyGiven)
            readOnly = type is not (MountType.Cache or MountType.Tmpfs);
        if (type == MountType.Secret)
        {
            if (from is not null)
                throw new ParseError("secret mount should not have a from");
            if (source is null && target is null && id is null && env is null)
                throw new ParseError("one of source, target required", hint: "name the secret with id=");
            if (source is not null && id is not null)
                throw new ParseError("both source and id can't be set");
        }
        if (type is MountType.Bind or MountType.Cache or MountType.Tmpfs && string.IsNullOrEmpty(target) && !needsExpansion)
            throw new ParseError($"mount type {Name(type)} requires a target", hint: "add target=/path");
        return new RunMount
        {
            Raw = spec,
            Type = type,
            From = from,
            Source = source,
            Target = target,
            ReadOnly = readOnly,
            Id = id,
            Sharing = sharing,
            SizeLimit = sizeLimit,
            Mode = mode,
            Uid = uid,
            Gid = gid,
            Required = required,
            Env = env,
            NeedsExpansion = needsExpansion,
        };
    }

    private static ParseError UnknownKey(string key, string field)
    {
        var suggestion = Suggestions.Closest(key, AllKeys);
        return new ParseError($"unexpected key '{key}' in '{field}'", hint: suggestion is null ? null : $"did you mean {suggestion}?");
    }

    private static readonly string[] AllKeys =
    [
        "type", "from", "source", "src", "target", "dst", "destination", "readonly", "ro", "readwrite", "rw",
        "required", "sharing", "id", "size", "mode", "uid", "gid", "env",
    ];

    private static string Name(MountType type) => type.ToString().ToLowerInvariant();

    private static MountType ParseType(string value) => value.ToLowerInvariant() switch
    {
        "bind" => MountType.Bind,
        "cache" => MountType.Cache,
        "tmpfs" => MountType.Tmpfs,
        "secret" => MountType.Secret,
        "ssh" => MountType.Ssh,
        _ => throw new ParseError($"unsupported mount type \"{value}\"",
            hint: Suggestions.Closest(value.ToLowerInvariant(), ["bind", "cache", "tmpfs", "secret", "ssh"]) is { } s
                ? $"did you mean {s}?"
                : "use one of bind, cache, tmpfs, secret, ssh"),
    };

    private static CacheSharing ParseSharing(string value) => value.ToLowerInvariant() switch
    {
        "shared" => CacheSharing.Shared,
        "private" => CacheSharing.Private,
        "locked" => CacheSharing.Locked,
        _ => throw new ParseError($"unrecognized sharing parameter: {value}", hint: "use shared, private or locked"),
    };

    // Go's strconv.ParseBool.
    internal static bool ParseBool(string key, string value) => value switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => true,
        "0" or "f" or "F" or "false" or "FALSE" or "False" => false,
        _ => throw new ParseError($"invalid value for {key}: {value}", hint: "use true or false"),
    };

    private static int ParseNumber(string key, string value, int radix)
    {
        try
        {
            var number = Convert.ToUInt32(value, radix);
            if (number <= int.MaxValue && value.Length > 0 && value.All(c => radix == 8 ? c is >= '0' and <= '7' : char.IsAsciiDigit(c)))
                return (int)number;
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
        }
        throw new ParseError($"invalid value for {key}: {value}", hint: radix == 8 ? "use an octal mode like 0755" : "use a number");
    }

    // docker/go-units RAMInBytes: a number with an optional binary unit (k, m, g, t, p; "b" and "i" allowed).
    private static long ParseSize(string value)
    {
        var text = value.Trim();
        var end = 0;
        while (end < text.Length && (char.IsAsciiDigit(text[end]) || text[end] == '.'))
            end++;
        if (end == 0 || !double.TryParse(text[..end], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            throw new ParseError($"invalid size: '{value}'", hint: "use a size like 64m");
        var unit = text[end..].TrimStart(' ').ToLowerInvariant();
        if (unit.EndsWith('b'))
            unit = unit[..^1];
        if (unit.EndsWith('i'))
            unit = unit[..^1];
        var multiplier = unit switch
        {
            "" => 1L,
            "k" => 1L << 10,
            "m" => 1L << 20,
            "g" => 1L << 30,
            "t" => 1L << 40,
            "p" => 1L << 50,
            _ => throw new ParseError($"invalid size: '{value}'", hint: "use a size like 64m"),
        };
        return (long)(number * multiplier);
    }
}
