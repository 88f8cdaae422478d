using System.Globalization;
using Ashlar.Builder.Graph;
using Ashlar.Builder.Native;
using Ashlar.Builder.Planning;
using Ashlar.Cache.Keys;
using Ashlar.Images.Formats;
using Ashlar.Parser;
using Ashlar.Parser.Instructions;

namespace Ashlar.Builder.Solving;

/// <summary>
/// Runs one stage: resolves its base, then lowers each instruction (after expansion) into an op and runs it.
/// Instructions that change files (RUN, COPY, ADD, WORKDIR) become steps with a layer; the others only change the
/// image config and get an <c>empty_layer</c> history entry, as BuildKit does.
/// </summary>
internal sealed partial class StageRunner
{
    private const string HistoryComment = "buildkit.dockerfile.v0";
    private readonly BuildSession _session;
    private readonly StagePlan _plan;
    private readonly Func<int, Task<StageResult>> _stageResult;
    private readonly StageArgs _args;
    private readonly int _steps;
    private int _stepIndex;
    private readonly string _stepPrefix;
    private ImageState _image = null!;
    private Op _op = null!;
    private bool _cmdSet;

    public StageRunner(BuildSession session, StagePlan plan, Func<int, Task<StageResult>> stageResult)
    {
        _session = session;
        _plan = plan;
        _stageResult = stageResult;
        _args = new StageArgs(session.Request.BuildArgs, session.Plan.GlobalScope);
        // BuildKit's count: the FROM of an image (a stage or scratch base has no step of its own), then every RUN, COPY,
        // ADD and WORKDIR; the steps of a build with one stage (no COPY --from of an image either) carry no stage name.
        _stepIndex = plan.BaseKind == StageBaseKind.Scratch ? 0 : 1;
        _steps = _stepIndex + plan.Stage.Instructions.Count(i => i is RunInstruction or CopyInstruction or AddInstruction or WorkdirInstruction);
        var single = session.Plan.Stages.Count == 1 && !plan.Stage.Instructions.Any(i => i is CopyInstruction { From: not null });
        _stepPrefix = single ? "" : plan.DisplayName + " ";
    }

    private string FileName => _session.Plan.Dockerfile.FileName;

    public async Task<StageResult> RunAsync(CancellationToken cancellationToken)
    {
        await StartFromBaseAsync(cancellationToken);
        var triggers = _image.OnBuild.ToList();
        _image.OnBuild.Clear();
        if (triggers.Count > 0)
        {
            Dockerfile parsed;
            try
            {
                parsed = DockerfileParser.Parse("FROM scratch\n" + string.Join('\n', triggers), $"{FileName} (ONBUILD of {_plan.BaseName})");
            }
            catch (ParseError error)
            {
                throw new BuildException($"invalid ONBUILD trigger in {_plan.BaseName}: {error.Message}", FileName, _plan.Stage.From.Range.Start.Line);
            }
            foreach (var trigger in parsed.Stages[0].Instructions)
                await DispatchAsync(trigger, cancellationToken, fromTrigger: true);
        }
        foreach (var instruction in _plan.Stage.Instructions)
            await DispatchAsync(instruction, cancellationToken, fromTrigger: false);
        return new StageResult(_op, _files, _image, _key);
    }

    private async Task StartFromBaseAsync(CancellationToken cancellationToken)
    {
        switch (_plan.BaseKind)
        {
            case StageBaseKind.Scratch:
                _image = ImageState.Scratch(_session.Platform);
                _op = new SourceImageOp(SourceImageOp.Scratch, null, PlatformArgs.Format(_session.Platform));
                _files = LayerChain.Empty;
                _key = CacheKey.Scratch;
                break;
            case StageBaseKind.Stage:
            {
                var parent = await _stageResult(_plan.BaseStage!.Value);
                _image = parent.Image.Clone();
                _op = parent.Op;
                _files = parent.Files;
                _key = parent.Key;
                break;
            }
            default:
            {
                var step = _session.Reporter.Start($"[{_stepPrefix}{StepNumber(1)}] FROM {NormalizedBaseName()}");
                try
                {
                    var image = await _session.ImageAsync(_plan.BaseName, cancellationToken);
                    _image = ImageState.From(image.Image.Config, image.Image.Manifest.Layers);
                    _op = image.Op;
                    _files = image.Files;
                    _key = _baseKey = image.Key;
                    step.Done();
                }
                catch (BuildException e)
                {
                    step.Failed(e.Reason);
                    throw new BuildException(e.Reason, FileName, _plan.Stage.From.Range.Start.Line, e);
                }
                catch (Exception e) when (e is Images.Store.ImageNotFoundException or IOException or InvalidDataException)
                {
                    step.Failed(e.Message);
                    throw new BuildException($"{_plan.BaseName}: {e.Message}", FileName, _plan.Stage.From.Range.Start.Line, e);
                }
                break;
            }
        }
        if (_plan.Platform is { } platform && !string.Equals(platform, PlatformArgs.Format(_session.Platform), StringComparison.OrdinalIgnoreCase)
            && !Images.Formats.Platform.Parse(platform).Matches(_session.Platform))
            throw new BuildException($"FROM --platform={platform}: only {PlatformArgs.Format(_session.Platform)} can be built on this machine (no emulation)",
                FileName, _plan.Stage.From.Range.Start.Line) { IsInputError = true };
    }

    private async Task DispatchAsync(Instruction instruction, CancellationToken cancellationToken, bool fromTrigger)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var line = instruction.Range.Start.Line;
        try
        {
            switch (instruction)
            {
                case ArgInstruction arg:
                    foreach (var definition in arg.Args)
                    {
                        var value = definition.Default is null ? null : Expand(definition.Default);
                        _args.Declare(definition.Name, value);
                        _session.UsedBuildArgs.Add(definition.Name);
                    }
                    // BuildKit: the Dockerfile's (expanded) defaults, never the --build-arg values.
                    Metadata("ARG " + string.Join(' ', arg.Args.Select(d => d.Default is null ? d.Name : $"{d.Name}={Expand(d.Default)}")));
                    break;
                case EnvInstruction env:
                {
                    var scope = Scope();
                    var pairs = env.Variables.Select(v => (Key: _session.Lexer.ProcessWord(v.Key, scope), Value: _session.Lexer.ProcessWord(v.Value, scope))).ToList();
                    foreach (var (key, value) in pairs) _image.SetEnv(key, value);
                    Metadata("ENV " + string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")));
                    break;
                }
                case LabelInstruction label:
                {
                    var scope = Scope();
                    var pairs = label.Labels.Select(v => (Key: _session.Lexer.ProcessWord(v.Key, scope), Value: _session.Lexer.ProcessWord(v.Value, scope))).ToList();
                    foreach (var (key, value) in pairs) _image.Labels[key] = value;
                    Metadata("LABEL " + string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}")));
                    break;
                }
                case MaintainerInstruction maintainer:
                    _image.Author = maintainer.Maintainer;
                    Metadata("MAINTAINER " + maintainer.Maintainer);
                    break;
                case ExposeInstruction expose:
                {
                    var scope = Scope();
                    var ports = expose.Ports.SelectMany(p => _session.Lexer.ProcessWords(p, scope)).SelectMany(ExpandPorts).ToList();
                    foreach (var port in ports) _image.ExposedPorts[port] = EmptyObject.Instance;
                    // Go's %v of the port map: sorted keys, each with its empty struct.
                    Metadata("EXPOSE map[" + string.Join(' ', ports.Distinct().Order(StringComparer.Ordinal).Select(p => p + ":{}")) + "]");
                    break;
                }
                case VolumeInstruction volume:
                {
                    var scope = Scope();
                    var volumes = volume.Volumes.Select(v => _session.Lexer.ProcessWord(v, scope)).ToList();
                    foreach (var v in volumes)
                    {
                        if (v.Length == 0) throw new BuildException("VOLUME specified can not be an empty string");
                        _image.Volumes[v] = EmptyObject.Instance;
                    }
                    Metadata($"VOLUME [{string.Join(' ', volumes)}]");
                    break;
                }
                case UserInstruction user:
                    _image.User = _session.Lexer.ProcessWord(user.User, Scope());
                    Metadata("USER " + _image.User);
                    break;
                case StopSignalInstruction stop:
                    _image.StopSignal = _session.Lexer.ProcessWord(stop.Signal, Scope());
                    Metadata("STOPSIGNAL " + _image.StopSignal);
                    break;
                case ShellInstruction shell:
                    _image.Shell = shell.Shell;
                    Metadata($"SHELL [{string.Join(' ', shell.Shell)}]");
                    break;
                case CmdInstruction cmd:
                    _image.Cmd = CommandOf(cmd.Command);
                    _cmdSet = true;
                    Metadata("CMD " + GoFormat.QuoteSlice(_image.Cmd));
                    break;
                case EntrypointInstruction entrypoint:
                    _image.Entrypoint = CommandOf(entrypoint.Command);
                    // Dockerfile reference: ENTRYPOINT resets a CMD inherited from the base image.
                    if (!_cmdSet) _image.Cmd = null;
                    Metadata("ENTRYPOINT " + GoFormat.QuoteSlice(_image.Entrypoint));
                    break;
                case HealthcheckInstruction health:
                    _image.Healthcheck = health.IsNone
                        ? new HealthConfig { Test = ["NONE"] }
                        : new HealthConfig
                        {
                            Test = health.Test,
                            Interval = Nanoseconds(health.Interval),
                            Timeout = Nanoseconds(health.Timeout),
                            StartPeriod = Nanoseconds(health.StartPeriod),
                            StartInterval = Nanoseconds(health.StartInterval),
                            Retries = health.Retries == 0 ? null : health.Retries,
                        };
                    Metadata("HEALTHCHECK " + HealthcheckHistory(_image.Healthcheck));
                    break;
                case OnbuildInstruction onbuild:
                    _image.OnBuild.Add(onbuild.Expression);
                    // BuildKit only records the trigger in the config: no history entry.
                    _op = new ConfigOp(_op, "ONBUILD " + onbuild.Expression);
                    break;
                case WorkdirInstruction workdir:
                    await WorkdirAsync(workdir, cancellationToken);
                    break;
                case RunInstruction run:
                    await new RunStep(_session, this).RunAsync(run, cancellationToken);
                    break;
                case CopyInstruction copy:
                    await CopyAsync(copy, copy.Sources, copy.InlineSources, copy.Destination, copy.From, copy.Chown, copy.Chmod, copy.Link, copy.Parents, copy.Excludes, isAdd: false, cancellationToken);
                    break;
                case AddInstruction add:
                    await CopyAsync(add, add.Sources, add.InlineSources, add.Destination, null, add.Chown, add.Chmod, add.Link, false, add.Excludes, isAdd: true, cancellationToken);
                    break;
                case FromInstruction:
                    throw new BuildException("FROM is not allowed as an ONBUILD trigger");
                default:
                    throw new BuildException($"{instruction.Keyword} is not supported");
            }
        }
        catch (BuildException e) when (e.File is null)
        {
            throw new BuildException(e.Reason, fromTrigger ? $"{FileName} (ONBUILD)" : FileName, fromTrigger ? _plan.Stage.From.Range.Start.Line : line, e)
            {
                ExitCode = e.ExitCode,
                IsInputError = e.IsInputError,
            };
        }
        catch (ParseError e)
        {
            throw new BuildException(e.Reason, FileName, line, e) { IsInputError = true };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidOperationException
            or ArgumentException or Images.Content.DigestMismatchException)
        {
            // A failure of the machinery (mount, snapshot, store) still names the instruction it happened in.
            throw new BuildException($"{instruction.Keyword} failed: {e.Message}", FileName, line, e);
        }
    }

    // ---- shared with the step classes ----

    internal ImageState Image => _image;
    internal Op CurrentOp => _op;
    internal StageArgs Args => _args;
    internal StagePlan Plan => _plan;

    internal StepReporter.Step StartStep(Instruction instruction) =>
        _session.Reporter.Start($"[{_stepPrefix}{StepNumber(Math.Min(++_stepIndex, _steps))}] {StepText(instruction)}");

    // BuildKit pads the index to the width of the total: "[ 3/12]".
    private string StepNumber(int index) =>
        index.ToString(CultureInfo.InvariantCulture).PadLeft(_steps.ToString(CultureInfo.InvariantCulture).Length) + "/" + _steps.ToString(CultureInfo.InvariantCulture);

    // The FROM step names the base as BuildKit does: normalised, with its tag ("docker.io/library/busybox:latest").
    private string NormalizedBaseName() =>
        Images.References.ImageReference.TryParse(_plan.BaseName, out var reference) ? reference!.ToString() : _plan.BaseName;

    internal Dictionary<string, string> Scope() => _args.ExpansionScope(_image);

    internal string Expand(string word) => _session.Lexer.ProcessWord(word, Scope());

    /// <summary>
    /// Records a file step's result: its layer (none when it changed nothing and <paramref name="keepEmpty"/> is false),
    /// the snapshot committed under the new chain ID, history, and the cache record under the key the step missed.
    /// </summary>
    internal async Task CommitAsync(Op op, string activeKey, string upperDirectory, string createdBy, bool keepEmpty, CancellationToken cancellationToken)
    {
        _op = op;
        if (!keepEmpty && !Directory.EnumerateFileSystemEntries(upperDirectory).Any())
        {
            _session.Snapshots.Remove(activeKey);
            AddHistory(createdBy, emptyLayer: true, StepTime(null));
            await RecordAsync(null, null, cancellationToken);
            return;
        }
        if (_session.Request.SourceDateEpoch is { } epoch)
            TimestampClamp.Apply(upperDirectory, epoch);
        var (layer, diffId) = await _session.WriteLayerAsync(upperDirectory, cancellationToken);
        var digest = Images.Content.Digest.Parse(diffId);
        _files = _files.With(layer, digest);
        _session.CommitStep(activeKey, _files.ChainId!.Value);
        _image.Layers.Add(layer);
        _image.DiffIds.Add(diffId);
        AddHistory(createdBy, emptyLayer: false, StepTime(null));
        await RecordAsync(layer, digest, cancellationToken);
    }

    /// <summary>A read-only tree of another stage or an image, for COPY --from and RUN --mount from= (unpacked when needed).</summary>
    internal async Task<(Op Op, string? Snapshot)> ResolveFromAsync(string from, CancellationToken cancellationToken)
    {
        var (op, files, _) = await ResolveSourceAsync(from, cancellationToken);
        return (op, await _session.SnapshotAsync(files, cancellationToken));
    }

    private void Metadata(string createdBy)
    {
        _op = new ConfigOp(_op, createdBy);
        AddHistory(createdBy, emptyLayer: true, null);
    }

    // A metadata step's time is left null here and filled from the layer steps around it (ImageState.ToConfig).
    private void AddHistory(string createdBy, bool emptyLayer, DateTime? created) => _image.History.Add(new HistoryEntry
    {
        Created = created,
        CreatedBy = createdBy,
        Comment = HistoryComment,
        EmptyLayer = emptyLayer ? true : null,
    });

    private async Task WorkdirAsync(WorkdirInstruction workdir, CancellationToken cancellationToken)
    {
        var path = Expand(workdir.Path);
        var absolute = path.StartsWith('/') ? path : Path.Combine(_image.WorkingDir ?? "/", path);
        absolute = "/" + string.Join('/', absolute.Split('/', StringSplitOptions.RemoveEmptyEntries));
        _image.WorkingDir = absolute;
        var step = StartStep(workdir);
        var op = new FileOp(_op, [new MkdirAction(absolute, Convert.ToInt32("755", 8), _image.User ?? "")]);
        if (await TryCachedAsync(step, op, KeyFor(op).Build(), "WORKDIR " + absolute, cancellationToken)) return;
        var key = _session.NewKey("active");
        var mounts = _session.Snapshots.Prepare(key, await CurrentSnapshotAsync(cancellationToken));
        try
        {
            using (var rootfs = HostMount.Open(mounts, _session.ScratchDirectory))
            {
                var target = ScopedPath.Resolve(rootfs.Path, absolute);
                if (!Directory.Exists(target))
                {
                    var owner = string.IsNullOrEmpty(_image.User) ? (0, 0) : UserDatabase.Resolve(rootfs.Path, _image.User);
                    var current = "";
                    foreach (var part in absolute.Split('/', StringSplitOptions.RemoveEmptyEntries))
                    {
                        current += "/" + part;
                        var dir = ScopedPath.Resolve(rootfs.Path, current);
                        if (Directory.Exists(dir)) continue;
                        Directory.CreateDirectory(dir);
                        System.IO.File.SetUnixFileMode(dir, (UnixFileMode)Convert.ToInt32("755", 8));
                        FileOwner.Change(dir, owner.Item1, owner.Item2);
                    }
                }
            }
            // BuildKit's WORKDIR history has no ' # buildkit' and always a layer (an empty one when the directory was
            // there), except for / where it makes none.
            await CommitAsync(op, key, mounts[0].UpperDirectory!, "WORKDIR " + absolute, keepEmpty: absolute != "/", cancellationToken);
            step.Done();
        }
        catch (Exception e)
        {
            if (_session.Snapshots.Stat(key) is not null) _session.Snapshots.Remove(key);
            step.Failed(e.Message);
            throw;
        }
    }

    private async Task CopyAsync(Instruction instruction, IReadOnlyList<string> sources, IReadOnlyList<InlineSource> inline, string destination,
        string? from, string? chown, string? chmod, bool link, bool parents, IReadOnlyList<string> excludes, bool isAdd, CancellationToken cancellationToken)
    {
        var scope = Scope();
        var expandedSources = sources.Select(s => _session.Lexer.ProcessWord(s, scope)).ToList();
        var expandedInline = inline.Select(i => new KeyValuePair<string, string>(i.Path, i.Expand ? _session.Lexer.ProcessWord(i.Data, scope) : i.Data)).ToList();
        var dest = _session.Lexer.ProcessWord(destination, scope);
        var destIsDirectory = dest.EndsWith('/') || dest == "." || dest.EndsWith("/.", StringComparison.Ordinal);
        var absolute = dest.StartsWith('/') ? dest : (_image.WorkingDir ?? "/").TrimEnd('/') + "/" + dest;
        var expandedFrom = from is null ? null : _session.Lexer.ProcessWord(from, scope);
        var expandedChown = chown is null ? null : _session.Lexer.ProcessWord(chown, scope);
        var expandedChmod = chmod is null ? null : _session.Lexer.ProcessWord(chmod, scope);

        var step = StartStep(instruction);
        var key = _session.NewKey("active");
        string? viewKey = null;
        FileOps.CopyPlan? contextPlan = null;
        FileOps.RemoteSourceKeys? remote = null;
        try
        {
            Op source = _session.Context;
            LayerChain? sourceFiles = null;
            CacheKey sourceKey = default;
            if (expandedFrom is not null)
                (source, sourceFiles, sourceKey) = await ResolveSourceAsync(expandedFrom, cancellationToken);
            var action = new CopyAction(source, expandedSources, expandedInline, absolute, destIsDirectory, expandedChown, expandedChmod,
                link, parents, excludes, isAdd);
            var op = new FileOp(_op, [action]);
            var spec = (instruction switch
            {
                CopyInstruction copy => FileOps.CopySpec.FromCopy(copy, w => _session.Lexer.ProcessWord(w, scope), _image.WorkingDir ?? "/"),
                AddInstruction add => FileOps.CopySpec.FromAdd(add, w => _session.Lexer.ProcessWord(w, scope), _image.WorkingDir ?? "/"),
                _ => throw new InvalidOperationException(),
            }) with { CreatedTime = _session.Request.SourceDateEpoch };
            // BuildKit's history: the flags that shape the files, never --from.
            var createdBy = string.Join(' ', new[] { isAdd ? "ADD" : "COPY" }
                .Concat(parents ? ["--parents"] : [])
                .Concat(expandedChown is null ? [] : [$"--chown={expandedChown}"])
                .Concat(expandedChmod is null ? [] : [$"--chmod={expandedChmod}"])
                .Concat(expandedSources).Concat(expandedInline.Select(i => "<<" + i.Key)).Append(dest)) + " # buildkit";

            // The key: the op, plus what the sources hold. Context files by content and effective metadata (selected
            // after .dockerignore and --exclude, digests from the stat cache); another stage or image by its key.
            var keyBuilder = KeyFor(op, CopyKeys.SpecExtras(spec));
            IReadOnlyList<Cache.Records.SourceFile>? fingerprints = null;
            if (expandedFrom is null)
            {
                // ADD's git sources (by commit) and checksummed URLs are keyed before anything is fetched, other URLs by a
                // content a "not modified" answer vouches for or by their download: a hit clones and downloads nothing it need not.
                remote = await FileOps.RemoteSourceKeys.ResolveAsync(spec, new FileOps.UrlValidators(Path.Combine(_session.Store.Root, "cache", "http")), cancellationToken);
                contextPlan = await FileOps.CopyOperation.PrepareAsync(remote.KeyedSpec, await _session.ContextTreeAsync(cancellationToken), null, cancellationToken);
                fingerprints = await CopyKeys.AddSourcesAsync(keyBuilder, contextPlan, cancellationToken);
                foreach (var (remoteSource, remoteKey) in remote.Inputs) keyBuilder.AddFile(remoteSource, remoteKey);
            }
            else
            {
                keyBuilder.Add(CacheInputKind.Stage, "--from", sourceKey.Digest);
            }
            var inputs = keyBuilder.Build();
            if (await TryCachedAsync(step, op, inputs, createdBy, cancellationToken, fingerprints)) return;

            Ashlar.Builder.Context.SourceTree? tree = null;
            HostMount? view = null;
            var sourceSnapshot = expandedFrom is null ? null : await _session.SnapshotAsync(sourceFiles!, cancellationToken);
            if (expandedFrom is not null && sourceSnapshot is null)
            {
                var empty = Directory.CreateDirectory(Path.Combine(_session.ScratchDirectory, "empty-" + Guid.NewGuid().ToString("N"))).FullName;
                tree = Ashlar.Builder.Context.SourceTree.FromDirectory(empty, expandedFrom);
            }
            FileOps.LinkOrigin? origin = null;
            if (expandedFrom is not null && sourceSnapshot is not null)
            {
                viewKey = _session.NewKey("view");
                var viewMounts = _session.Snapshots.View(viewKey, sourceSnapshot);
                view = HostMount.Open(viewMounts, _session.ScratchDirectory);
                tree = Ashlar.Builder.Context.SourceTree.FromDirectory(view.Path, $"stage {expandedFrom}");
                // A committed snapshot never changes: its files can be shared with this copy by hard link.
                origin = new FileOps.SnapshotLinkOrigin(viewMounts[0].LowerDirectories);
            }
            else if (contextPlan is not null && _missedNear is { } near && contextPlan.TargetsAreDistinct())
                origin = await CopyKeys.PreviousResultAsync(_session, near, cancellationToken);
            var mounts = _session.Snapshots.Prepare(key, await CurrentSnapshotAsync(cancellationToken));
            using (view)
            {
                // --link: a layer of its own, written straight into the new snapshot's still-empty upper directory (never
                // mounted, so nothing below shows through). BuildKit makes --link with --chmod an ordinary copy.
                var plan = remote is { Any: true }
                    ? await FileOps.CopyOperation.PrepareAsync(remote.FetchSpec, await _session.ContextTreeAsync(cancellationToken), null, cancellationToken)
                    : contextPlan ?? await FileOps.CopyOperation.PrepareAsync(spec, tree!, null, cancellationToken);
                // Downloads and clones are fresh files: only a context copy or a snapshot's files are shared.
                plan.LinkOrigin = remote is { Any: true } ? null : origin;
                try
                {
                    if (link && expandedChmod is null)
                        await plan.ApplyToLayerAsync(mounts[0].UpperDirectory!, cancellationToken);
                    else
                    {
                        FileOps.DeferredContents? deferred;
                        using (var rootfs = HostMount.Open(mounts, _session.ScratchDirectory))
                            deferred = await plan.ApplyDeferringAsync(rootfs.Path, cancellationToken);
                        if (deferred is not null) await deferred.WriteAsync(mounts[0].UpperDirectory!, cancellationToken);
                    }
                }
                finally
                {
                    if (!ReferenceEquals(plan, contextPlan)) await plan.DisposeAsync();
                }
            }
            await CommitAsync(op, key, mounts[0].UpperDirectory!, createdBy, keepEmpty: true, cancellationToken);
            if (fingerprints is not null) await CopyKeys.RememberSourcesAsync(_session.Cache.Layers, inputs.Key, fingerprints, cancellationToken);
            step.Done();
        }
        catch (FileOps.SourceNotFoundException e)
        {
            RemoveActive(key);
            step.Failed(e.Message);
            throw new BuildException(e.Message);
        }
        catch (FormatException e)
        {
            RemoveActive(key);
            step.Failed(e.Message);
            throw new BuildException(e.Message) { IsInputError = true };
        }
        catch (Exception e)
        {
            RemoveActive(key);
            step.Failed(e.Message);
            throw;
        }
        finally
        {
            if (viewKey is not null) _session.Snapshots.Remove(viewKey);
            if (contextPlan is not null) await contextPlan.DisposeAsync();
            if (remote is not null) await remote.DisposeAsync();
        }
    }

    private void RemoveActive(string key)
    {
        if (_session.Snapshots.Stat(key) is { Kind: Executor.Snapshots.SnapshotKind.Active }) _session.Snapshots.Remove(key);
    }

    private IReadOnlyList<string> CommandOf(CommandLine command) =>
        command.IsExecForm ? command.Arguments : [.. _image.ShellOrDefault, .. command.Arguments];

    private static long? Nanoseconds(TimeSpan value) => value == TimeSpan.Zero ? null : value.Ticks * 100;

    // Go's %q of current BuildKit's *dockerspec.HealthcheckConfig (Test, Interval, Timeout, StartPeriod, StartInterval,
    // Retries), as COPY history follows current BuildKit too; dockerd 20.10's v0.8 has no StartInterval field.
    private static string HealthcheckHistory(HealthConfig health) =>
        "&{" + string.Join(' ', GoFormat.QuoteSlice(health.Test), GoFormat.Quote(GoFormat.Duration(health.Interval ?? 0)),
            GoFormat.Quote(GoFormat.Duration(health.Timeout ?? 0)), GoFormat.Quote(GoFormat.Duration(health.StartPeriod ?? 0)),
            GoFormat.Quote(GoFormat.Duration(health.StartInterval ?? 0)), GoFormat.QuoteRune(health.Retries ?? 0)) + "}";

    // docker's nat.ParsePortSpecs: "80", "80/udp", "8000-8002/tcp".
    private static IEnumerable<string> ExpandPorts(string spec)
    {
        var slash = spec.IndexOf('/');
        var proto = slash < 0 ? "tcp" : spec[(slash + 1)..].ToLowerInvariant();
        var ports = slash < 0 ? spec : spec[..slash];
        var dash = ports.IndexOf('-');
        if (dash < 0)
        {
            if (!ushort.TryParse(ports, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                throw new BuildException($"invalid containerPort: {ports}");
            yield return $"{ports}/{proto}";
            yield break;
        }
        if (!ushort.TryParse(ports[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !ushort.TryParse(ports[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var end) || end < start)
            throw new BuildException($"invalid range specified for container port: {ports}");
        for (int port = start; port <= end; port++)
            yield return $"{port}/{proto}";
    }

    private static string StepText(Instruction instruction)
    {
        var text = instruction.Original.Trim();
        var newline = text.IndexOf('\n');
        return newline < 0 ? text : text[..newline].TrimEnd('\\', ' ') + " ...";
    }
}
