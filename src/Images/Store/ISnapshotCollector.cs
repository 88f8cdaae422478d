namespace Ashlar.Images.Store;

/// <summary>
/// The unpacked layer snapshots' part in <see cref="StoreGarbageCollector"/> and <see cref="StoreChecker"/> (the
/// executor's snapshotter implements it; the image store does not know its layout).
/// </summary>
public interface ISnapshotCollector
{
    /// <summary>
    /// Removes what dead processes left: step snapshots of builds whose lease is gone, and unpacks and containers of
    /// processes that are no longer running. <paramref name="readLeases"/> is called after the snapshots are listed,
    /// so a process that starts meanwhile is never mistaken for a dead one.
    /// </summary>
    CollectedItems CollectLeftovers(Func<LiveLeases> readLeases);

    /// <summary>
    /// Removes committed snapshots not named in <paramref name="keep"/> (chain IDs of images and cache entries), except
    /// those a live lease holds, build steps of live builds, and those committed since <paramref name="protectedSince"/>.
    /// What anything kept stands on stays too.
    /// </summary>
    CollectedItems Prune(IReadOnlySet<string> keep, LiveLeases leases, DateTimeOffset protectedSince);

    /// <summary>The size of every committed snapshot by name.</summary>
    IReadOnlyDictionary<string, long> Sizes();

    /// <summary>Checks the snapshots' metadata against their directories; with <paramref name="repair"/>, removes what is broken or left over.</summary>
    void Check(ICollection<StoreProblem> problems, Func<LiveLeases> readLeases, bool repair);
}
