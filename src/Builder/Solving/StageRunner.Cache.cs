using Ashlar.Builder.Graph;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;
using Ashlar.Parser.Instructions;

namespace Ashlar.Builder.Solving;

/// <summary>The layer cache's part of a stage: each layer step's key, its hit (nothing runs) or miss (why), and the record it leaves.</summary>
internal sealed partial class StageRunner
{
    private LayerChain _files = LayerChain.Empty;
    private CacheKey _key = CacheKey.Scratch;
    private PendingStep? _pending;
    private CacheKey _baseKey;

    // The closest earlier key of the last miss with the same definition (same step, same parent, other inputs): a COPY
    // from the context takes its unchanged files from that result.
    private CacheKey? _missedNear;

    /// <summary>The committed snapshot of the stage's files so far, unpacking what no snapshot holds yet; null when empty.</summary>
    internal Task<string?> CurrentSnapshotAsync(CancellationToken cancellationToken) => _session.SnapshotAsync(_files, cancellationToken);

    /// <summary>Starts the key of a step on top of the current one: the op's definition without its inputs' op digests.</summary>
    internal CacheKeyBuilder KeyFor(Op op, string? extraDefinition = null) =>
        new(_key, KindOf(op), extraDefinition is null ? op.CacheDefinition() : op.CacheDefinition() + "\n" + extraDefinition, _session.Cache.SecretKey);

    // Explanations compare a miss with earlier keys of the same kind on the same parent: COPY with COPY, not with WORKDIR.
    private static string KindOf(Op op) => op switch
    {
        FileOp { Actions: [CopyAction { IsAdd: true }] } => "file.add",
        FileOp { Actions: [CopyAction] } => "file.copy",
        FileOp { Actions: [MkdirAction] } => "file.mkdir",
        _ => op.Kind,
    };

    /// <summary>Another stage's or an image's result without unpacking it: its op, files and cache key (for keys of COPY --from and mounts).</summary>
    internal async Task<(Op Op, LayerChain Files, CacheKey Key)> ResolveSourceAsync(string from, CancellationToken cancellationToken)
    {
        var source = _session.Plan.ResolveFrom(from);
        if (source.Stage is { } stage)
        {
            var result = await _stageResult(stage);
            return (result.Op, result.Files, result.Key);
        }
        var image = await _session.ImageAsync(source.Image ?? from, cancellationToken);
        return (image.Op, image.Files, image.Key);
    }

    /// <summary>
    /// Looks a layer step up. On a hit its layer, diff ID and history join the image and nothing runs (true). On a miss
    /// the step's progress says why, and the next <see cref="CommitAsync"/> records its result under this key (false).
    /// </summary>
    internal async Task<bool> TryCachedAsync(StepReporter.Step step, Op op, CacheKeyInputs inputs, string createdBy, CancellationToken cancellationToken,
        IReadOnlyList<SourceFile>? sources = null)
    {
        var display = StepDisplay(step);
        var lookup = await _session.Cache.LookupAsync(_plan, inputs, display, cancellationToken);
        if (lookup.Hit is { } record)
        {
            _op = op;
            _key = ResultKey(inputs.Key, record.DiffId);
            var time = StepTime(record);
            if (record.Layer is { } layer && record.DiffId is { } diffId)
            {
                _files = _files.With(layer, diffId);
                _image.Layers.Add(layer);
                _image.DiffIds.Add(diffId.ToString());
                AddHistory(createdBy, emptyLayer: false, time);
            }
            else
            {
                AddHistory(createdBy, emptyLayer: true, time);
            }
            _session.Cache.Report(_plan, _stepIndex, display, inputs, record, cached: true, null);
            step.Cached();
            return true;
        }
        var reason = lookup.MissReason!;
        _missedNear = lookup.Explanation is { Closest: { } near, DefinitionChanged: false } ? near : null;
        // Nothing at all on this parent, and the parent is the stage's base image: say which digest is new.
        if (lookup.Explanation is { Closest: null } && _plan.BaseKind == Planning.StageBaseKind.Image && inputs.Parent == _baseKey)
            reason = $"{display} missed: nothing was built on {_plan.BaseName} ({_baseKey.Digest.ToString()[..19]}) before: a new base image digest, or its first build";
        // A changed COPY source: name the file, not only the source it was selected by.
        if (sources is not null && lookup.Explanation is { Closest: { } closest, DefinitionChanged: false } explanation
            && explanation.Differences.Any(d => d.Input.Kind == CacheInputKind.File)
            && await _session.Cache.Layers.DescribeSourceChangeAsync(closest, sources, cancellationToken) is { } files)
            reason = $"{display} missed: {files}";
        step.Missed(reason);
        _pending = new PendingStep(inputs, display, reason);
        return false;
    }

    /// <summary>Records the result of the step that just ran under the key its <see cref="TryCachedAsync"/> missed.</summary>
    private async Task RecordAsync(Descriptor? layer, Digest? diffId, CancellationToken cancellationToken)
    {
        if (_pending is not { } pending) return;
        _pending = null;
        _key = ResultKey(pending.Inputs.Key, diffId);
        _session.Cache.MarkRan(_key);
        var record = await _session.Cache.PutAsync(pending.Inputs, layer, diffId, layer is null ? null : _files.ChainId, new DateTimeOffset(_session.Created), cancellationToken);
        _session.Cache.Report(_plan, _stepIndex, pending.Display, pending.Inputs, record, cached: false, pending.Reason);
    }

    /// <summary>
    /// The key the next step builds on: the step's key folded with the layer it really made. A step that ran again
    /// (<c>--no-cache</c>, a pruned record) and made a different layer must not let the steps after it hit results built
    /// on the old one; one that made the same layer (a reproducible step) keeps them.
    /// </summary>
    private static CacheKey ResultKey(CacheKey step, Digest? diffId) =>
        diffId is { } layer ? new CacheKey(Digest.Sha256(System.Text.Encoding.UTF8.GetBytes($"ashlar result\n{step}\n{layer}"))) : step;

    /// <summary>A step's history time: SOURCE_DATE_EPOCH, else when its cached result was first made (so a cached rebuild is the same image), else now.</summary>
    private DateTime StepTime(CacheRecord? record) =>
        _session.Request.SourceDateEpoch is null && record is not null ? record.Created.UtcDateTime : _session.Created;

    private static string StepDisplay(StepReporter.Step step)
    {
        // "[build 2/4] COPY src/ ." -> "COPY src/ ."
        var name = step.Name;
        return name.StartsWith('[') && name.IndexOf("] ", StringComparison.Ordinal) is > 0 and var end ? name[(end + 2)..] : name;
    }

    /// <summary>The build args a RUN sees, the platform and the other run inputs, named so a miss can say which changed.</summary>
    internal void AddRunInputs(CacheKeyBuilder key, RunInstruction run, IEnumerable<KeyValuePair<string, string>> runArgs, string workdir, string network)
    {
        foreach (var (name, value) in runArgs) key.AddBuildArg(name, value);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in _image.Env)
        {
            var equals = entry.IndexOf('=');
            if (equals > 0 && seen.Add(entry[..equals])) key.AddEnv(entry[..equals], entry[(equals + 1)..]);
        }
        key.Add(CacheInputKind.User, "", _image.User ?? "");
        key.Add(CacheInputKind.WorkDir, "", workdir);
        key.Add(CacheInputKind.Network, "", network);
        key.Add(CacheInputKind.Platform, "", Planning.PlatformArgs.Format(_session.Platform));
        if (!run.Command.IsExecForm) key.Add(CacheInputKind.Shell, "", string.Join(' ', _image.ShellOrDefault));
    }

    private sealed record PendingStep(CacheKeyInputs Inputs, string Display, string Reason);
}
