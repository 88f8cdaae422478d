using System.Text.Json;
using Ashlar.Cache.Keys;
using Ashlar.Images.Content;
using Microsoft.Extensions.Caching.Distributed;

namespace Ashlar.Cache.Records;

/// <summary>
/// The layer cache over any <see cref="IDistributedCache"/> index (by default the store's
/// <see cref="Index.FileDistributedCache"/>): cache key -> <see cref="CacheRecord"/>, plus a small per-parent list of
/// recorded children with their named inputs so a miss can say which input differs.
/// </summary>
public sealed class LayerCache
{
    /// <summary>How many children per (parent, op kind) are remembered for explanations; the oldest go first.</summary>
    internal const int ChildrenKept = 64;
    private const int DifferencesShown = 3;

    private static readonly DistributedCacheEntryOptions NoExpiration = new();
    private readonly IDistributedCache _index;
    private readonly TimeProvider _time;

    /// <summary>Uses <paramref name="index"/> as the cache index.</summary>
    public LayerCache(IDistributedCache index, TimeProvider? time = null)
    {
        _index = index;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The record for <paramref name="key"/>, or null on a miss. A hit counts as a use (for LRU collection).</summary>
    public async Task<CacheRecord?> TryGetAsync(CacheKey key, CancellationToken cancellationToken = default)
    {
        var bytes = await _index.GetAsync(RecordKey(key), cancellationToken);
        if (bytes is null) return null;
        try
        {
            return JsonSerializer.Deserialize(bytes, CacheJsonContext.Default.CacheRecord)
                ?? throw new InvalidDataException($"cache record {key}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"cache record {key}: {e.Message}", e);
        }
    }

    /// <summary>Records what <paramref name="inputs"/>' key produced, and remembers the key under its parent for explanations.</summary>
    public async Task PutAsync(CacheKeyInputs inputs, CacheRecord record, CancellationToken cancellationToken = default)
    {
        // The record first: a child listed without its record only weakens an explanation, never serves a result.
        await _index.SetAsync(RecordKey(inputs.Key), JsonSerializer.SerializeToUtf8Bytes(record, CacheJsonContext.Default.CacheRecord), NoExpiration, cancellationToken);

        // Read-modify-write without a lock: two concurrent puts under one parent may drop one child from the list.
        // That costs at most an explanation's precision, never correctness, so no lock is worth it here.
        var childrenKey = ChildrenKey(inputs.Parent, inputs.OpKind);
        var children = await ReadChildrenAsync(childrenKey, cancellationToken);
        children.RemoveAll(c => c.Key == inputs.Key.ToString());
        children.Add(new ChildEntry(
            inputs.Key.ToString(),
            inputs.Definition.ToString(),
            inputs.Inputs.ToDictionary(i => i.Id, i => i.Value.ToString(), StringComparer.Ordinal),
            _time.GetUtcNow()));
        if (children.Count > ChildrenKept)
            children.RemoveRange(0, children.Count - ChildrenKept);
        await _index.SetAsync(childrenKey, JsonSerializer.SerializeToUtf8Bytes(children, CacheJsonContext.Default.ListChildEntry), NoExpiration, cancellationToken);
    }

    /// <summary>Forgets the record of <paramref name="key"/> (its layer is no longer available).</summary>
    public Task RemoveAsync(CacheKey key, CancellationToken cancellationToken = default) =>
        _index.RemoveAsync(RecordKey(key), cancellationToken);

    /// <summary>
    /// Explains a miss of <paramref name="inputs"/>: finds the closest key recorded under the same parent and op kind
    /// and says which named inputs differ, e.g. <c>COPY src/ . missed: input "src/pkg07/mod003.txt" changed</c>.
    /// </summary>
    /// <param name="inputs">The key that missed, with its named inputs.</param>
    /// <param name="step">How the step is shown, e.g. <c>COPY src/ .</c>.</param>
    /// <param name="cancellationToken">Stops the lookup.</param>
    public async Task<CacheMissExplanation> ExplainAsync(CacheKeyInputs inputs, string step, CancellationToken cancellationToken = default)
    {
        var children = await ReadChildrenAsync(ChildrenKey(inputs.Parent, inputs.OpKind), cancellationToken);
        if (children.Count == 0)
            return new CacheMissExplanation(null, false, [], $"{step} missed: no earlier result of this step on the same parent (an earlier step missed, or it never ran)");

        var current = inputs.Inputs.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var definition = inputs.Definition.ToString();
        ChildEntry? closest = null;
        List<CacheInputDifference> closestDifferences = [];
        var closestScore = int.MaxValue;
        // Most recent first, so among equally close keys the latest build is the one compared with.
        for (var i = children.Count - 1; i >= 0; i--)
        {
            var child = children[i];
            var differences = Compare(current, child.Inputs);
            var score = differences.Count + (child.Definition == definition ? 0 : 1);
            // On a tie, the key with the same definition explains better: its differences are the inputs alone.
            if (score < closestScore || (score == closestScore && child.Definition == definition && closest!.Definition != definition))
                (closest, closestDifferences, closestScore) = (child, differences, score);
        }

        var closestKey = CacheKey.Parse(closest!.Key);
        var definitionChanged = closest.Definition != definition;
        string reason;
        if (closestScore == 0)
            reason = "the earlier result with this key is no longer in the cache (pruned or expired)";
        else
        {
            var parts = new List<string>();
            if (definitionChanged) parts.Add("the instruction's definition changed");
            parts.AddRange(closestDifferences.Take(DifferencesShown).Select(d => d.ToString()));
            reason = string.Join(", ", parts);
            if (closestDifferences.Count > DifferencesShown)
                reason += $" and {closestDifferences.Count - DifferencesShown} more";
        }
        return new CacheMissExplanation(closestKey, definitionChanged, closestDifferences, $"{step} missed: {reason}");
    }

    /// <summary>Remembers the files a COPY/ADD key was folded from, for <see cref="DescribeSourceChangeAsync"/> of a later miss.</summary>
    public Task PutSourcesAsync(CacheKey key, IReadOnlyList<SourceFile> files, CancellationToken cancellationToken = default) =>
        _index.SetAsync(SourcesKey(key), JsonSerializer.SerializeToUtf8Bytes(files.ToList(), CacheJsonContext.Default.ListSourceFile), NoExpiration, cancellationToken);

    /// <summary>
    /// Which files differ between those <paramref name="previous"/> was folded from and <paramref name="current"/>, e.g.
    /// <c>src/a.txt content changed, src/b.sh mode changed 644 -> 755</c>; null when nothing is remembered for that key.
    /// </summary>
    public async Task<string?> DescribeSourceChangeAsync(CacheKey previous, IReadOnlyList<SourceFile> current, CancellationToken cancellationToken = default)
    {
        if (await GetSourcesAsync(previous, cancellationToken) is not { } before) return null;
        var old = new Dictionary<string, SourceFile>(StringComparer.Ordinal);
        foreach (var file in before) old.TryAdd(file.Path, file);
        var changes = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in current)
        {
            if (!seen.Add(file.Path)) continue;
            if (!old.TryGetValue(file.Path, out var was)) changes.Add($"{file.Path} added");
            else if (was.Type != file.Type) changes.Add($"{file.Path} type changed ({was.Type.ToLowerInvariant()} -> {file.Type.ToLowerInvariant()})");
            else if (was.Content != file.Content) changes.Add($"{file.Path} content changed");
            else if (was.Mode != file.Mode) changes.Add($"{file.Path} mode changed ({was.Mode} -> {file.Mode})");
            else if (was.Owner != file.Owner) changes.Add($"{file.Path} owner changed ({was.Owner} -> {file.Owner})");
            else if (was.LinkTarget != file.LinkTarget) changes.Add($"{file.Path} link target changed");
        }
        foreach (var file in before)
            if (!seen.Contains(file.Path)) changes.Add($"{file.Path} removed");
        if (changes.Count == 0) return null;
        var text = string.Join(", ", changes.Take(DifferencesShown));
        return changes.Count > DifferencesShown ? $"{text} and {changes.Count - DifferencesShown} more" : text;
    }

    /// <summary>The files <paramref name="key"/> was folded from (see <see cref="PutSourcesAsync"/>), or null when none are remembered.</summary>
    public async Task<IReadOnlyList<SourceFile>?> GetSourcesAsync(CacheKey key, CancellationToken cancellationToken = default)
    {
        var bytes = await _index.GetAsync(SourcesKey(key), cancellationToken);
        if (bytes is null) return null;
        try
        {
            return JsonSerializer.Deserialize(bytes, CacheJsonContext.Default.ListSourceFile) ?? [];
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<CacheInputDifference> Compare(Dictionary<string, CacheInput> current, Dictionary<string, string> previous)
    {
        var differences = new List<CacheInputDifference>();
        foreach (var (id, input) in current.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!previous.TryGetValue(id, out var value))
                differences.Add(new CacheInputDifference(input, CacheInputChange.Added));
            else if (value != input.Value.ToString())
                differences.Add(new CacheInputDifference(input, CacheInputChange.Changed));
        }
        foreach (var (id, value) in previous.OrderBy(p => p.Key, StringComparer.Ordinal))
            if (!current.ContainsKey(id) && Digest.TryParse(value, out var digest))
                differences.Add(new CacheInputDifference(CacheInput.FromId(id, digest), CacheInputChange.Removed));
        return differences;
    }

    private async Task<List<ChildEntry>> ReadChildrenAsync(string childrenKey, CancellationToken cancellationToken)
    {
        var bytes = await _index.GetAsync(childrenKey, cancellationToken);
        if (bytes is null) return [];
        try
        {
            return JsonSerializer.Deserialize(bytes, CacheJsonContext.Default.ListChildEntry) ?? [];
        }
        catch (JsonException)
        {
            return []; // only explanations depend on it; the next put rewrites it
        }
    }

    private static string RecordKey(CacheKey key) => $"record/{key}";
    private static string SourcesKey(CacheKey key) => $"sources/{key}";
    private static string ChildrenKey(CacheKey parent, string opKind) => $"children/{parent}/{opKind}";
}
