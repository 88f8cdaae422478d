using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Ashlar.Cache.Index;
using Ashlar.Executor.Snapshots;
using Ashlar.Images.Store;

namespace Ashlar.Cli.Commands;

/// <summary>
/// <c>ashlar prune [-f] [--all] [--keep-storage 10GB] [--filter until=24h]</c>: <c>docker image prune</c> and
/// <c>docker builder prune</c> in one. Removes dangling images, what dead builds left, then build cache entries (all
/// of them with <c>--all</c>, those unused for the <c>until</c> duration, or the least recently used until the store
/// fits in <c>--keep-storage</c>), and the blobs and layer snapshots nothing needs any more. Named images are never
/// removed, nor anything a running build holds.
/// </summary>
internal static partial class PruneCommand
{
    public static Command Create()
    {
        var force = new Option<bool>("--force", "-f") { Description = "Do not prompt for confirmation" };
        var all = new Option<bool>("--all", "-a") { Description = "Remove all unused build cache, not just what --keep-storage or --filter select" };
        var keepStorage = new Option<string?>("--keep-storage")
        {
            Description = "Remove the least recently used build cache until the store takes at most this much space (e.g. 10GB)",
            HelpName = "SIZE",
        };
        var filter = new Option<string[]>("--filter")
        {
            Description = "Only build cache unused for longer than this: until=DURATION (e.g. until=24h)",
            HelpName = "until=DURATION",
        };
        var keepRecent = new Option<TimeSpan?>("--keep-recent")
        {
            Description = "Keep unreferenced blobs younger than this (e.g. 00:15:00), for writers that hold no lease such as a pull",
            HelpName = "DURATION",
        };
        var command = new Command("prune", "Remove dangling images, unused build cache, unreferenced blobs and unused layer snapshots")
        {
            force, all, keepStorage, filter, keepRecent,
        };
        StoreCommandAction.Set(command, async (parseResult, cancellationToken) =>
        {
            var options = new GarbageCollectionOptions
            {
                AllCache = parseResult.GetValue(all),
                KeepStorage = parseResult.GetValue(keepStorage) is { } size ? ParseSize(size) : null,
                Until = Until(parseResult.GetValue(filter) ?? []),
                KeepRecent = parseResult.GetValue(keepRecent) ?? TimeSpan.Zero,
            };
            var store = StoreOptions.Open(parseResult);
            if (!parseResult.GetValue(force))
            {
                Console.Out.Write("WARNING! This will remove all dangling images, unused build cache and unreferenced blobs.\nAre you sure you want to continue? [y/N] ");
                var answer = Console.In.ReadLine()?.Trim();
                if (answer is not ("y" or "Y" or "yes")) return ExitCodes.Ok;
            }
            var collector = new StoreGarbageCollector(store, SnapshotPruner.ForStore(store.Root), CacheIndexCollector.ForStore(store.Root));
            var result = await collector.CollectAsync(options, cancellationToken);
            Section("Deleted Images:", result.DeletedImages.Select(d => d.ToString()));
            Section("Deleted build cache objects:", result.DeletedCacheEntries);
            Section("Deleted Blobs:", result.DeletedBlobs.Select(d => d.ToString()));
            Section("Deleted Snapshots:", result.DeletedSnapshots);
            Section("Deleted leftovers of stopped builds:", result.Leftovers);
            Console.Out.WriteLine($"Total reclaimed space: {HumanUnits.Size(result.ReclaimedBytes, 4)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Section(string title, IEnumerable<string> items)
    {
        var list = items.ToList();
        if (list.Count == 0) return;
        Console.Out.WriteLine(title);
        foreach (var item in list) Console.Out.WriteLine($"deleted: {item}");
        Console.Out.WriteLine();
    }

    private static long ParseSize(string text)
    {
        try { return StoreGarbageCollector.ParseSize(text); }
        catch (FormatException e) { throw new FormatException($"--keep-storage {e.Message}", e); }
    }

    /// <summary>The <c>until</c> filter, docker's only one for the build cache; any other key is refused.</summary>
    internal static TimeSpan? Until(IEnumerable<string> filters)
    {
        TimeSpan? until = null;
        foreach (var filter in filters)
        {
            var eq = filter.IndexOf('=');
            var (key, value) = eq < 0 ? (filter, "") : (filter[..eq], filter[(eq + 1)..]);
            if (key != "until")
                throw new FormatException($"--filter {filter}: only until=DURATION is supported (e.g. until=24h)");
            until = ParseDuration(value) ?? throw new FormatException($"--filter {filter}: expected a duration such as 24h, 90m or 1h30m");
        }
        return until;
    }

    /// <summary>A Go duration as docker takes it (<c>24h</c>, <c>1h30m</c>, <c>45s</c>, <c>500ms</c>), or null.</summary>
    internal static TimeSpan? ParseDuration(string text)
    {
        var match = GoDuration().Match(text.Trim());
        if (!match.Success || text.Trim().Length == 0) return null;
        var total = TimeSpan.Zero;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value.TrimStart("0123456789.".ToCharArray());
            var amount = double.Parse(part.Value[..^unit.Length], CultureInfo.InvariantCulture);
            total += unit switch
            {
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "ms" => TimeSpan.FromMilliseconds(amount),
                _ => TimeSpan.Zero,
            };
        }
        return total;
    }

    [GeneratedRegex(@"^(?<part>[0-9]+(\.[0-9]+)?(h|ms|m|s))+$")]
    private static partial Regex GoDuration();
}
