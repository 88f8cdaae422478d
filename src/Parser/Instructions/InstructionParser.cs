using System.Text.RegularExpressions;
using Ashlar.Parser.Syntax;

namespace Ashlar.Parser.Instructions;

/// <summary>
/// Turns a raw <see cref="Node"/> into its typed <see cref="Instruction"/>, validating flags and argument counts as
/// BuildKit's <c>instructions/parse.go</c> does. Errors are <see cref="ParseError"/> without a location; the caller adds it.
/// </summary>
internal static partial class InstructionParser
{
    public static readonly string[] Keywords =
    [
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
        "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    ];

    public static Instruction Parse(Node node)
    {
        var args = node.Arguments;
        var flags = new BuilderFlags(node.Flags);
        var range = node.Range;
        var original = node.Original;
        switch (node.Value)
        {
            case "from":
            {
                flags.String("platform").Parse("FROM");
                string? stageName = null;
                if (args.Count == 3 && string.Equals(args[1], "as", StringComparison.OrdinalIgnoreCase))
                {
                    stageName = args[2].ToLowerInvariant();
                    if (!ValidStageName().IsMatch(stageName))
                        throw new ParseError(
                            $"invalid name for build stage: \"{args[2]}\", name can't start with a number or contain symbols",
                            text: args[2], hint: "use lower-case letters, digits, '-', '_' and '.', starting with a letter");
                }
                else if (args.Count != 1)
                {
                    throw new ParseError("FROM requires either one or three arguments", hint: "write FROM image [AS name]");
                }
                return new FromInstruction(args[0], stageName, flags.GetString("platform")) { Range = range, Original = original };
            }
            case "run":
            {
                flags.Strings("mount").String("network").String("security").Parse("RUN");
                if (args.Count == 0)
                    throw new ParseError("RUN requires at least one argument");
                var mounts = flags.GetStrings("mount").Select(spec => RunMount.Parse(spec)).ToList();
                var network = (flags.GetString("network") ?? "default") switch
                {
                    "default" => NetworkMode.Default,
                    "none" => NetworkMode.None,
                    "host" => NetworkMode.Host,
                    var other => throw new ParseError($"unsupported network mode \"{other}\"", hint: "use default, none or host"),
                };
                var security = (flags.GetString("security") ?? "sandbox") switch
                {
                    "sandbox" => SecurityMode.Sandbox,
                    "insecure" => SecurityMode.Insecure,
                    var other => throw new ParseError($"security \"{other}\" is not valid", hint: "use sandbox or insecure"),
                };
                return new RunInstruction(Command(node), mounts, network, security, InlineFiles(node)) { Range = range, Original = original };
            }
            case "cmd":
                flags.Parse("CMD");
                return new CmdInstruction(Command(node), InlineFiles(node)) { Range = range, Original = original };
            case "entrypoint":
                flags.Parse("ENTRYPOINT");
                return new EntrypointInstruction(Command(node), InlineFiles(node)) { Range = range, Original = original };
            case "shell":
                flags.Parse("SHELL");
                if (args.Count == 0)
                    throw new ParseError("SHELL requires at least one argument");
                if (!node.IsJson)
                    throw new ParseError("SHELL requires the arguments to be in JSON form", hint: "write SHELL [\"/bin/sh\", \"-c\"]");
                return new ShellInstruction(args) { Range = range, Original = original };
            case "env":
                flags.Parse("ENV");
                return new EnvInstruction(KeyValues(args, "ENV")) { Range = range, Original = original };
            case "label":
                flags.Parse("LABEL");
                return new LabelInstruction(KeyValues(args, "LABEL")) { Range = range, Original = original };
            case "maintainer":
                flags.Parse("MAINTAINER");
                if (args.Count != 1)
                    throw new ParseError("MAINTAINER requires exactly one argument");
                return new MaintainerInstruction(args[0]) { Range = range, Original = original };
            case "expose":
                flags.Parse("EXPOSE");
                if (args.Count == 0)
                    throw new ParseError("EXPOSE requires at least one argument");
                return new ExposeInstruction(args.Order(StringComparer.Ordinal).ToList()) { Range = range, Original = original };
            case "add":
                return ParseAdd(node, flags);
            case "copy":
                return ParseCopy(node, flags);
            case "volume":
            {
                flags.Parse("VOLUME");
                if (args.Count == 0)
                    throw new ParseError("VOLUME requires at least one argument");
                var volumes = args.Select(v => v.Trim()).ToList();
                if (volumes.Any(v => v.Length == 0))
                    throw new ParseError("VOLUME specified can not be an empty string");
                return new VolumeInstruction(volumes) { Range = range, Original = original };
            }
            case "user":
                flags.Parse("USER");
                return new UserInstruction(ExactlyOne(args, "USER")) { Range = range, Original = original };
            case "workdir":
                flags.Parse("WORKDIR");
                return new WorkdirInstruction(ExactlyOne(args, "WORKDIR")) { Range = range, Original = original };
            case "stopsignal":
                flags.Parse("STOPSIGNAL");
                return new StopSignalInstruction(ExactlyOne(args, "STOPSIGNAL")) { Range = range, Original = original };
            case "arg":
                return ParseArg(node, flags);
            case "onbuild":
                return ParseOnbuild(node, flags);
            case "healthcheck":
                return ParseHealthcheck(node, flags);
            default:
            {
                var written = node.Original.Trim().Split([' ', '\t'], 2)[0];
                var suggestion = Suggestions.Closest(written, Keywords);
                throw new ParseError($"unknown instruction {written}", text: written,
                    hint: suggestion is not null ? $"did you mean {suggestion}?" : "see https://docs.docker.com/reference/dockerfile/");
            }
        }
    }

    [GeneratedRegex("^[a-z][a-z0-9-_.]*$")]
    private static partial Regex ValidStageName();

    [GeneratedRegex(@"^\s*ONBUILD\s*", RegexOptions.IgnoreCase)]
    private static partial Regex OnbuildPrefix();

    private static string ExactlyOne(IReadOnlyList<string> args, string keyword) =>
        args.Count == 1 ? args[0] : throw new ParseError($"{keyword} requires exactly one argument");

    private static CommandLine Command(Node node)
    {
        if (node.Arguments.Count == 0)
            return new CommandLine([], node.IsJson);
        return node.IsJson
            ? new CommandLine(node.Arguments, true)
            : new CommandLine([string.Join(' ', node.Arguments)], false);
    }

    private static List<InlineFile> InlineFiles(Node node) =>
        node.Heredocs.Select(h => new InlineFile(h.Name, h.Content, h.Chomp, h.Expand)).ToList();

    private static List<KeyValue> KeyValues(IReadOnlyList<string> args, string keyword)
    {
        if (args.Count == 0)
            throw new ParseError($"{keyword} requires at least one argument");
        if (args.Count % 3 != 0)
            throw new ParseError($"Bad input to {keyword}, too many arguments");
        var pairs = new List<KeyValue>(args.Count / 3);
        for (var i = 0; i < args.Count; i += 3)
        {
            if (args[i].Length == 0)
                throw new ParseError($"{keyword} names can not be blank");
            pairs.Add(new KeyValue(args[i], args[i + 1], args[i + 2].Length == 0));
        }
        return pairs;
    }

    private static (List<string> Paths, List<InlineSource> Inline, string Destination) SourcesAndDestination(Node node, string keyword)
    {
        var args = node.Arguments;
        if (args.Count < 2)
            throw new ParseError($"{keyword} requires at least two arguments, but only one was provided. Destination could not be determined.",
                hint: $"write {keyword} <src>... <dest>");
        var destination = args[^1];
        if (HeredocMarker.TryParse(destination) is not null)
            throw new ParseError($"{keyword} cannot accept a heredoc as a destination", text: destination);
        var heredocs = new Dictionary<string, Heredoc>(StringComparer.Ordinal);
        foreach (var heredoc in node.Heredocs)
            heredocs.TryAdd(heredoc.Name, heredoc);
        var paths = new List<string>();
        var inline = new List<InlineSource>();
        foreach (var source in args.Take(args.Count - 1))
        {
            var marker = HeredocMarker.TryParse(source);
            if (marker is null)
            {
                paths.Add(source);
                continue;
            }
            var content = heredocs.TryGetValue(marker.Name, out var body) ? body.Content : "";
            if (marker.Chomp)
                content = (marker with { Content = content }).ChompedContent;
            inline.Add(new InlineSource(marker.Name, content, marker.Expand));
        }
        return (paths, inline, destination);
    }

    private static AddInstruction ParseAdd(Node node, BuilderFlags flags)
    {
        flags.Strings("exclude").String("chown").String("chmod").Bool("link").Bool("keep-git-dir").String("checksum").Bool("unpack")
            .Parse("ADD");
        var (paths, inline, destination) = SourcesAndDestination(node, "ADD");
        return new AddInstruction(paths, inline, destination, flags.GetString("chown"), flags.GetString("chmod"),
            flags.GetBool("link"), flags.GetBool("keep-git-dir"), flags.GetString("checksum"), flags.GetStrings("exclude"),
            flags.GetOptionalBool("unpack"))
        {
            Range = node.Range,
            Original = node.Original,
        };
    }

    private static CopyInstruction ParseCopy(Node node, BuilderFlags flags)
    {
        flags.Strings("exclude").Bool("parents").String("chown").String("from").String("chmod").Bool("link").Parse("COPY");
        var (paths, inline, destination) = SourcesAndDestination(node, "COPY");
        return new CopyInstruction(paths, inline, destination, flags.GetString("from"), flags.GetString("chown"),
            flags.GetString("chmod"), flags.GetBool("link"), flags.GetBool("parents"), flags.GetStrings("exclude"))
        {
            Range = node.Range,
            Original = node.Original,
        };
    }

    private static ArgInstruction ParseArg(Node node, BuilderFlags flags)
    {
        flags.Bool("required").Parse("ARG");
        if (node.Arguments.Count == 0)
            throw new ParseError("ARG requires at least one argument");
        var definitions = new List<ArgDefinition>(node.Arguments.Count);
        foreach (var arg in node.Arguments)
        {
            var equals = arg.IndexOf('=');
            if (equals < 0)
            {
                definitions.Add(new ArgDefinition(arg, null));
                continue;
            }
            if (equals == 0)
                throw new ParseError("ARG names can not be blank", text: arg);
            definitions.Add(new ArgDefinition(arg[..equals], arg[(equals + 1)..]));
        }
        return new ArgInstruction(definitions, flags.GetOptionalBool("required") is not null) { Range = node.Range, Original = node.Original };
    }

    private static OnbuildInstruction ParseOnbuild(Node node, BuilderFlags flags)
    {
        if (node.Trigger is null)
            throw new ParseError("ONBUILD requires at least one argument");
        flags.Parse("ONBUILD");
        var trigger = node.Trigger.Value.ToUpperInvariant();
        switch (trigger)
        {
            case "ONBUILD":
                throw new ParseError("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
            case "MAINTAINER" or "FROM":
                throw new ParseError($"{trigger} isn't allowed as an ONBUILD trigger");
        }
        var expression = OnbuildPrefix().Replace(node.Original, "");
        foreach (var heredoc in node.Heredocs)
            expression += "\n" + heredoc.Content + heredoc.Name;
        var parsed = Parse(node.Trigger with { Range = node.Range, Heredocs = node.Heredocs });
        return new OnbuildInstruction(expression, parsed) { Range = node.Range, Original = node.Original };
    }

    private static HealthcheckInstruction ParseHealthcheck(Node node, BuilderFlags flags)
    {
        var args = node.Arguments;
        if (args.Count == 0)
            throw new ParseError("HEALTHCHECK requires at least one argument", hint: "write HEALTHCHECK NONE or HEALTHCHECK CMD command");
        var type = args[0].ToUpperInvariant();
        if (type == "NONE")
        {
            if (args.Count != 1)
                throw new ParseError("HEALTHCHECK NONE takes no arguments");
            flags.Parse("HEALTHCHECK NONE");
            return new HealthcheckInstruction(["NONE"], TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0)
            {
                Range = node.Range,
                Original = node.Original,
            };
        }
        flags.String("interval").String("timeout").String("start-period").String("start-interval").String("retries").Parse("HEALTHCHECK");
        if (type != "CMD")
            throw new ParseError($"Unknown type \"{args[0]}\" in HEALTHCHECK (try CMD)", text: args[0], hint: "write HEALTHCHECK CMD command");
        var command = args.Skip(1).ToList();
        if (command.Count == 0)
            throw new ParseError("Missing command after HEALTHCHECK CMD");
        List<string> test = node.IsJson ? ["CMD", .. command] : ["CMD-SHELL", string.Join(' ', command)];
        var retries = 0;
        if (flags.GetString("retries") is { Length: > 0 } retriesText)
        {
            if (!int.TryParse(retriesText, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out retries))
                throw new ParseError($"invalid value for --retries: {retriesText}", hint: "use a whole number");
            if (retries < 0)
                throw new ParseError($"--retries cannot be negative ({retries})");
        }
        return new HealthcheckInstruction(test, Interval(flags, "interval"), Interval(flags, "timeout"),
            Interval(flags, "start-period"), Interval(flags, "start-interval"), retries)
        {
            Range = node.Range,
            Original = node.Original,
        };
    }

    private static TimeSpan Interval(BuilderFlags flags, string name)
    {
        var text = flags.GetString(name);
        if (string.IsNullOrEmpty(text))
            return TimeSpan.Zero;
        var duration = GoDuration.TryParse(text)
            ?? throw new ParseError($"time: invalid duration \"{text}\" for --{name}", hint: "use a duration like 30s, 1m30s or 500ms");
        if (duration == TimeSpan.Zero)
            return duration;
        if (duration < TimeSpan.FromMilliseconds(1))
            throw new ParseError($"Interval \"{name}\" cannot be less than 1ms");
        return duration;
    }
}
