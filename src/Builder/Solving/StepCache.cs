using System.Collections.Concurrent;
using System.Diagnostics;
using Ashlar.Builder.Planning;
using Ashlar.Cache.Index;
using Ashlar.Cache.Keys;
using Ashlar.Cache.Records;
using Ashlar.Images.Content;
using Ashlar.Images.Formats;

namespace Ashlar.Builder.Solving;

/// <summary>
/// The layer cache as the solver uses it: looks a step's key up (a hit needs its record and a layer blob the store
/// has or a layer source can supply), explains a miss, records what a step made, and keeps the per-step report
/// (<see cref="BuildResult.CacheSteps"/>, <c>--explain-cache</c>).
/// </summary>
internal sealed class StepCache
{
    private readonly BuildSession _session;
    private readonly LayerCache _cache;
    private readonly Lazy<CacheSecretKey> _secretKey;
    private readonly ConcurrentBag<(int Stage, int Step, CacheStep Report)> _steps = [];
    private readonly HashSet<string> _noCacheStages;
    private readonly ConcurrentDictionary<CacheKey, byte> _ran = new();
    private readonly Lock _writesGate = new();
    private Task _writes = Task.CompletedTask;
    private long _lookupTicks;
    private int _lookups;

    public StepCache(BuildSession session)
    {
        _session = session;
        _cache = new LayerCache(session.Request.CacheIndex ?? FileDistributedCache.ForStore(session.Store.Root));
        _secretKey = new Lazy<CacheSecretKey>(() => LoadSecretKey(session));
        _noCacheStages = session.Request.NoCacheFilter.Select(s => s.Trim()).Where(s => s.Length > 0).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The key that secrets are HMAC'd with before they reach a cache key: a fleet's shared key file, else the store's own.</summary>
    public CacheSecretKey SecretKey => _secretKey.Value;

    /// <summary>The environment variable naming a shared secret key file when the request names none.</summary>
    public const string SecretKeyFileVariable = "ASHLAR_CACHE_SECRET_KEY_FILE";

    private static CacheSecretKey LoadSecretKey(BuildSession session)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(SecretKeyFileVariable);
        var shared = session.Request.CacheSecretKeyFile ?? (string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment);
        if (shared is null) return CacheSecretKey.LoadOrCreate(session.Store.Root);
        try
        {
            return CacheSecretKey.LoadShared(shared);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new BuildException(e.Message, inner: e) { IsInputError = true };
        }
    }

    /// <summary>The layer cache itself (for per-file explanations).</summary>
    public LayerCache Layers => _cache;

    /// <summary>Average time a lookup (index read, blob check) took, for the explain report.</summary>
    public TimeSpan AverageLookup => _lookups == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Stopwatch.GetElapsedTime(0, _lookupTicks).Ticks / _lookups);

    /// <summary>Every layer step of the build, stages in plan order, steps in their order.</summary>
    public IReadOnlyList<CacheStep> Steps(BuildPlan plan)
    {
        var position = plan.Order.Select((stage, i) => (stage, i)).ToDictionary(p => p.stage, p => p.i);
        return _steps.OrderBy(s => position.GetValueOrDefault(s.Stage, int.MaxValue)).ThenBy(s => s.Step).Select(s => s.Report).ToList();
    }

    /// <summary>Why this stage's steps must run whatever the cache holds (<c>--no-cache</c>, <c>--no-cache-filter</c>), or null.</summary>
    public string? Bypass(StagePlan stage)
    {
        if (_session.Request.NoCache) return "--no-cache";
        if (_noCacheStages.Count == 0) return null;
        if (_noCacheStages.Contains(stage.DisplayName) || (stage.Stage.Name is { } name && _noCacheStages.Contains(name))
            || _noCacheStages.Contains(stage.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            return "--no-cache-filter";
        return null;
    }

    /// <summary>Looks <paramref name="inputs"/> up: the record on a usable hit, else why the step must run.</summary>
    public async Task<CacheLookup> LookupAsync(StagePlan stage, CacheKeyInputs inputs, string step, CancellationToken cancellationToken)
    {
        if (Bypass(stage) is { } bypass) return new CacheLookup(null, $"{step} ran: {bypass}");
        var started = Stopwatch.GetTimestamp();
        CacheRecord? record;
        try
        {
            // Under the store's GC lock (shared), and held by this build's lease before it is released: a prune that
            // listed this entry a moment ago cannot take its blob or snapshot away from under the hit.
            record = await _session.Lease.GuardAsync(async () =>
            {
                var found = await _cache.TryGetAsync(inputs.Key, cancellationToken);
                if (found?.LayerDigest is { } blob) _session.Lease.HoldBlob(blob);
                if (found?.ChainId is { } chain) _session.Lease.HoldSnapshot(chain);
                return found;
            }, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            _session.Reporter.Warn($"ignoring a damaged cache record: {e.Message}");
            record = null;
        }
        Interlocked.Add(ref _lookupTicks, Stopwatch.GetTimestamp() - started);
        Interlocked.Increment(ref _lookups);
        if (record is not null)
        {
            if (record.LayerDigest is null) return new CacheLookup(record, null); // a step that changed nothing
            if (record.Layer is null || record.DiffId is null || record.Layer.Digest != record.LayerDigest)
                return new CacheLookup(null, $"{step} missed: the cached result was recorded without its layer descriptor");
            // A pruned blob is a miss, unless a cache source may still supply it (fetched only when needed).
            if (!_session.Store.Content.Exists(record.LayerDigest.Value) && _session.Request.LayerSources.Count == 0 && !_session.Store.Lazy.IsLazy(record.LayerDigest.Value))
                return new CacheLookup(null, $"{step} missed: its cached layer {record.LayerDigest.Value.ToString()[..19]} is no longer in the store (pruned)");
            return new CacheLookup(record, null);
        }
        // The usual chain: once a step runs, every later step of the stage has a new parent and misses for that.
        if (_ran.ContainsKey(inputs.Parent))
            return new CacheLookup(null, $"{step} missed: the step before it ran, so it builds on a new result");
        var explanation = await _cache.ExplainAsync(inputs, step, cancellationToken);
        return new CacheLookup(null, explanation.Message) { Explanation = explanation };
    }

    /// <summary>
    /// Records what a step that ran made, so the next build with the same key hits; returns the record. The index
    /// entries (each fsynced) are written in the background, one after the other, while the next steps run:
    /// <see cref="FlushAsync"/> waits for them before the build ends.
    /// </summary>
    public Task<CacheRecord> PutAsync(CacheKeyInputs inputs, Descriptor? layer, Digest? diffId, Digest? chainId, DateTimeOffset created, CancellationToken cancellationToken)
    {
        var record = new CacheRecord(layer?.Digest, diffId, chainId?.ToString(), null, created, created, layer is null ? null : Descriptor.For(layer.MediaType, layer.Digest, layer.Size));
        lock (_writesGate) _writes = WriteAfterAsync(_writes, inputs, record);
        return Task.FromResult(record);
    }

    /// <summary>Waits for every record <see cref="PutAsync"/> is still writing.</summary>
    public Task FlushAsync()
    {
        lock (_writesGate) return _writes;
    }

    private async Task WriteAfterAsync(Task previous, CacheKeyInputs inputs, CacheRecord record)
    {
        await previous.ConfigureAwait(false);
        try
        {
            // Not the build's token: a cancelled build still keeps the results of the steps that finished.
            await _cache.PutAsync(inputs, record, CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            // The image is still right; only the next build loses this hit.
            _session.Reporter.Warn($"could not record a cache entry: {e.Message}");
        }
    }

    /// <summary>Notes a key that a step which ran left for the next one, so the next one's miss is explained by it.</summary>
    public void MarkRan(CacheKey resultKey) => _ran.TryAdd(resultKey, 0);

    /// <summary>Adds a step to the report.</summary>
    public void Report(StagePlan stage, int step, string instruction, CacheKeyInputs inputs, CacheRecord record, bool cached, string? missReason) =>
        _steps.Add((stage.Index, step, new CacheStep(stage.DisplayName, instruction, inputs.Key, inputs.Parent, record, cached, missReason)));
}

/// <summary>The outcome of a lookup: the record of a usable hit, or why the step runs.</summary>
internal sealed record CacheLookup(CacheRecord? Hit, string? MissReason)
{
    /// <summary>The closest earlier key and what differs, for a miss the index could explain.</summary>
    public CacheMissExplanation? Explanation { get; init; }
}
