using Ashlar.Images.Content;
using Ashlar.Images.Store;

namespace Ashlar.Executor.Snapshots;

/// <summary>
/// The snapshots' part of <c>ashlar prune</c>: drops the unpacked layers (committed snapshots named by chain ID) that no
/// remaining image needs. Active snapshots and views, and everything they stand on, are never touched; neither are a
/// running build's step snapshots (<c>build:...</c>), which the build removes itself when it ends.
/// </summary>
public sealed class SnapshotPruner(Snapshotter snapshots) : IPruneParticipant
{
    private const string BuildStepPrefix = "build:";

    /// <summary>The pruner of the snapshots under an image store's root (<c>&lt;root&gt;/snapshots</c>).</summary>
    public static SnapshotPruner ForStore(string storeRoot) => new(new Snapshotter(Path.Combine(storeRoot, "snapshots")));

    /// <inheritdoc />
    public string Name => "snapshots";

    /// <summary>The snapshots the last <see cref="PruneAsync"/> removed, by name.</summary>
    public IReadOnlyList<string> Removed { get; private set; } = [];

    /// <inheritdoc />
    public Task<long> PruneAsync(IReadOnlySet<Digest> liveChainIds, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var live = liveChainIds.Select(c => c.ToString()).ToHashSet(StringComparer.Ordinal);
        var (removed, reclaimed) = snapshots.Prune(s => live.Contains(s.Name) || s.Name.StartsWith(BuildStepPrefix, StringComparison.Ordinal));
        Removed = removed;
        return Task.FromResult(reclaimed);
    }
}
