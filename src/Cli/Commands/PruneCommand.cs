using System.CommandLine;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar prune [-f]</c>: removes dangling images, every blob no image references and the layer snapshots no
/// remaining image needs. Stores of derived data (the executor's layer snapshots) join through <see cref="Participants"/>.
/// </summary>
internal static class PruneCommand
{
    /// <summary>
    /// Hook for other parts of Ashlar: each factory gets the store root and returns something to prune along with the
    /// images. The executor's <see cref="SnapshotPruner"/> is always there.
    /// </summary>
    public static List<Func<string, IPruneParticipant>> Participants { get; } = [SnapshotPruner.ForStore];

    public static Command Create()
    {
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var keepRecent = new Option<TimeSpan?>("--keep-recent")
        {
            Description = "Keep unreferenced blobs younger than this (e.g. 00:15:00), for builds running at the same time",
            HelpName = "DURATION",
        };
        var command = new Command("prune", "Remove dangling images, unreferenced blobs and unused layer snapshots") { force, keepRecent };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            if (!parseResult.GetValue(force))
            {
                Console.Out.Write("WARNING! This will remove all dangling images and unreferenced blobs.\nAre you sure you want to continue? [y/N] ");
                var answer = Console.In.ReadLine()?.Trim();
                if (answer is not ("y" or "Y" or "yes")) return ExitCodes.Ok;
            }
            var participants = Participants.Select(f => f(store.Root)).ToList();
            var result = await store.PruneAsync(true, parseResult.GetValue(keepRecent), participants, cancellationToken);
            if (result.DeletedImages.Count > 0)
            {
                Console.Out.WriteLine("Deleted Images:");
                foreach (var id in result.DeletedImages) Console.Out.WriteLine($"deleted: {id}");
                Console.Out.WriteLine();
            }
            if (result.DeletedBlobs.Count > 0)
            {
                Console.Out.WriteLine("Deleted Blobs:");
                foreach (var blob in result.DeletedBlobs) Console.Out.WriteLine($"deleted: {blob}");
                Console.Out.WriteLine();
            }
            foreach (var pruner in participants.OfType<SnapshotPruner>().Where(p => p.Removed.Count > 0))
            {
                Console.Out.WriteLine("Deleted Snapshots:");
                foreach (var name in pruner.Removed) Console.Out.WriteLine($"deleted: {name}");
                Console.Out.WriteLine();
            }
            Console.Out.WriteLine($"Total reclaimed space: {HumanUnits.Size(result.ReclaimedBytes, 4)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
