using System.CommandLine;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar prune [-f]</c>: removes dangling images and every blob no image references. Other stores of derived data
/// (the executor's layer snapshots) join through <see cref="Participants"/>.
/// </summary>
internal static class PruneCommand
{
    /// <summary>
    /// Hook for other parts of Ashlar: each factory gets the store root and returns something to prune along with the
    /// images (e.g. the snapshotter: <c>PruneCommand.Participants.Add(root =&gt; new SnapshotPruner(root))</c>).
    /// </summary>
    public static List<Func<string, IPruneParticipant>> Participants { get; } = [];

    public static Command Create()
    {
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var keepRecent = new Option<TimeSpan?>("--keep-recent")
        {
            Description = "Keep unreferenced blobs younger than this (e.g. 00:15:00), for builds running at the same time",
            HelpName = "DURATION",
        };
        var command = new Command("prune", "Remove dangling images and unreferenced blobs") { force, keepRecent };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            if (!parseResult.GetValue(force))
            {
                Console.Out.Write("WARNING! This will remove all dangling images and unreferenced blobs.\nAre you sure you want to continue? [y/N] ");
                var answer = Console.In.ReadLine()?.Trim();
                if (answer is not ("y" or "Y" or "yes")) return ExitCodes.Ok;
            }
            var result = await store.PruneAsync(true, parseResult.GetValue(keepRecent), Participants.Select(f => f(store.Root)).ToList(), cancellationToken);
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
            Console.Out.WriteLine($"Total reclaimed space: {HumanUnits.Size(result.ReclaimedBytes, 4)}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
