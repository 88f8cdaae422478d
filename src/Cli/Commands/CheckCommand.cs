using System.CommandLine;
using Ashlar.Cache.Index;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar check [--repair]</c>: the store's fsck (see <see cref="StoreChecker"/>). Prints one line per problem, the
/// path and what is wrong with it, and exits 1 when any remains; <c>--repair</c> removes what is corrupt or left over
/// (never a healthy image).
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var repair = new Option<bool>("--repair") { Description = "Remove what is corrupt or left over by stopped processes (never a healthy image)" };
        var command = new Command("check", "Verify the store: blob digests, images, snapshots and build cache") { repair };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var store = StoreOptions.Open(parseResult);
            var checker = new StoreChecker(store, SnapshotPruner.ForStore(store.Root), CacheIndexCollector.ForStore(store.Root));
            var problems = await checker.CheckAsync(parseResult.GetValue(repair), cancellationToken);
            foreach (var problem in problems) Console.Out.WriteLine(problem);
            if (checker.LazyLayers.Count > 0)
                Console.Out.WriteLine($"{checker.LazyLayers.Count} layer{(checker.LazyLayers.Count == 1 ? " is" : "s are")} lazy (built from a remote cache; "
                    + "fetched from the source recorded under lazy/ when run, exported, saved or pushed): not a problem");
            var left = problems.Count(p => !p.Repaired);
            Console.Out.WriteLine(problems.Count == 0 ? "no problems found"
                : $"{problems.Count} problem{(problems.Count == 1 ? "" : "s")} found, {problems.Count - left} repaired");
            return left == 0 ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
