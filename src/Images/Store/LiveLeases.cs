using Ashlar.Images.Content;

namespace Ashlar.Images.Store;

/// <summary>The leases held by running processes at one moment, and what they hold (see <see cref="StoreLease"/>).</summary>
/// <param name="Ids">The ids of the live leases.</param>
/// <param name="ProcessIds">The processes holding them.</param>
/// <param name="Blobs">Blobs a live lease named.</param>
/// <param name="Snapshots">Snapshots a live lease named.</param>
/// <param name="OldestStart">When the oldest live lease began, or null when there is none.</param>
public sealed record LiveLeases(
    IReadOnlySet<string> Ids,
    IReadOnlySet<int> ProcessIds,
    IReadOnlySet<Digest> Blobs,
    IReadOnlySet<string> Snapshots,
    DateTimeOffset? OldestStart)
{
    /// <summary>No lease at all.</summary>
    public static LiveLeases None { get; } = new(new HashSet<string>(), new HashSet<int>(), new HashSet<Digest>(), new HashSet<string>(), null);

    /// <summary>Whether the lease <paramref name="id"/> is held by a running process.</summary>
    public bool IsLive(string id) => Ids.Contains(id);

    /// <summary>
    /// Whether process <paramref name="pid"/> is running. Used for temporaries named by their writer's pid (blobs
    /// being written, layers being unpacked): a reused pid only keeps a leftover longer, never removes a live one.
    /// </summary>
    public static bool IsProcessRunning(int pid) => pid == Environment.ProcessId || Directory.Exists($"/proc/{pid}");

    /// <summary>
    /// The time from which anything written or used must be kept: the oldest live lease's start (everything a running
    /// build wrote or hit is at least that recent), or <paramref name="now"/> without leases. Two seconds earlier,
    /// because file times come from the kernel's coarse clock.
    /// </summary>
    public DateTimeOffset ProtectedSince(DateTimeOffset now) =>
        (OldestStart is { } oldest && oldest < now ? oldest : now) - TimeSpan.FromSeconds(2);
}
