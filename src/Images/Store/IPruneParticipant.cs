using Ashlar.Images.Content;

namespace Ashlar.Images.Store;

/// <summary>
/// Something that keeps data derived from images (such as the executor's unpacked layer snapshots keyed by chain ID)
/// and wants to drop what no image uses any more when <see cref="ImageStore.PruneAsync"/> runs.
/// </summary>
public interface IPruneParticipant
{
    /// <summary>A short name for reports, e.g. "snapshots".</summary>
    string Name { get; }

    /// <summary>
    /// Removes whatever is not needed by the images that remain. <paramref name="liveChainIds"/> holds the chain ID of
    /// every layer prefix of every remaining image. Returns the bytes reclaimed.
    /// </summary>
    Task<long> PruneAsync(IReadOnlySet<Digest> liveChainIds, CancellationToken cancellationToken);
}
